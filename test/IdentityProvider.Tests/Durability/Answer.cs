using System.Net;

namespace IdentityProvider.Tests.Durability;

/// <summary>A response that arrived in full: its status, its redirect target (absolute) and its body.</summary>
public sealed record Answer(HttpStatusCode Status, Uri? Location, string Body);
