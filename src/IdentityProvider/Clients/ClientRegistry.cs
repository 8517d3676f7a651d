using System.Data;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using IdentityProvider.Audit;
using IdentityProvider.Authorization;
using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Clients;

/// <summary>
/// Registers, lists and removes relying parties; the CLI and the admin API both call this. Each
/// change commits together with its audit event (SPEC §11), naming the operator as the reason.
/// </summary>
public sealed partial class ClientRegistry(IOpenIddictApplicationManager applications, IdpDbContext db, AuditLog audit, IOperatorContext operatorContext)
{
    /// <summary>Scopes a client may be allowed; openid needs no permission in OpenIddict.</summary>
    public static readonly IReadOnlySet<string> KnownScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess, IdpScopes.Admin,
    };

    private static readonly string[] DefaultScopes = [Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess];

    /// <summary>Operator-chosen secrets shorter than this are refused: a client secret is a key, not a password.</summary>
    public const int MinimumSecretLength = 32;

    public async Task<RegisteredClient> AddAsync(ClientRegistration registration, CancellationToken cancellationToken = default)
    {
        var descriptor = Describe(registration, out var secret);
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is not null)
        {
            throw RequestRejectedException.Conflict($"A client with client_id '{descriptor.ClientId}' already exists.");
        }

        try
        {
            // OpenIddict's store saves on its own; the transaction makes the event part of the same commit.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await applications.CreateAsync(descriptor, cancellationToken);
            audit.Add(AuditKind.ClientRegistered, success: true, reason: operatorContext.Operator, subject: descriptor.ClientId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Checked above; only a concurrent registration of the same client_id gets here.
            db.ChangeTracker.Clear();
            throw RequestRejectedException.Conflict($"A client with client_id '{descriptor.ClientId}' was just registered by another request.");
        }

        return new RegisteredClient(Summarize(descriptor), secret);
    }

    public async Task<IReadOnlyList<ClientSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ClientSummary>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var descriptor = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, application, cancellationToken);
            result.Add(Summarize(descriptor));
        }

        return result.OrderBy(c => c.ClientId, StringComparer.Ordinal).ToList();
    }

    public async Task<ClientSummary> GetAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw RequestRejectedException.NotFound($"No client with client_id '{clientId}'.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        return Summarize(descriptor);
    }

    /// <summary>Removes the client; OpenIddict's store removes its authorizations and tokens with it.</summary>
    public async Task RemoveAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw RequestRejectedException.NotFound($"No client with client_id '{clientId}'.");

        // Serializable, as OpenIddict's store would open itself (it joins an existing transaction
        // instead): no token of the client can be added between listing and deleting them.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        await applications.DeleteAsync(application, cancellationToken);
        audit.Add(AuditKind.ClientRemoved, success: true, reason: operatorContext.Operator, subject: clientId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static OpenIddictApplicationDescriptor Describe(ClientRegistration registration, out string? secret)
    {
        var clientId = registration.ClientId?.Trim() ?? string.Empty;
        if (!ClientIdPattern().IsMatch(clientId))
        {
            throw RequestRejectedException.Invalid("client_id must be 1-100 characters of letters, digits, '.', '_', '-' or '~'.");
        }

        if (registration.Public && registration.Secret is not null)
        {
            throw RequestRejectedException.Invalid("A public client has no secret: give either --public or --secret.");
        }

        if (registration.Secret is { } given && (given.Length < MinimumSecretLength || string.IsNullOrWhiteSpace(given)))
        {
            throw RequestRejectedException.Invalid($"The client secret must be at least {MinimumSecretLength} characters; omit it to have one generated.");
        }

        // JSON may say null where C# says "never null": the admin API binds without nullability checks.
        var requestedScopes = registration.Scopes ?? [];
        var redirectUris = registration.RedirectUris ?? [];
        var postLogoutRedirectUris = registration.PostLogoutRedirectUris ?? [];

        var scopes = requestedScopes.Count == 0 ? DefaultScopes : requestedScopes.Select(s => s?.Trim() ?? string.Empty).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var scope in scopes.Where(s => !KnownScopes.Contains(s)))
        {
            throw RequestRejectedException.Invalid($"Unknown scope '{scope}'. Known scopes: {string.Join(", ", KnownScopes.Order(StringComparer.Ordinal))}.");
        }

        if (registration.Public && scopes.Contains(IdpScopes.Admin))
        {
            throw RequestRejectedException.Invalid($"The {IdpScopes.Admin} scope is for confidential clients only.");
        }

        var interactive = redirectUris.Count > 0;
        if (registration.Public && !interactive)
        {
            throw RequestRejectedException.Invalid("A public client needs at least one --redirect-uri.");
        }

        var idTokenAlgorithm = registration.IdTokenSignedResponseAlg?.Trim() is { Length: > 0 } alg ? alg : ClientSettings.Rs256;
        if (!ClientSettings.IdTokenAlgorithms.Contains(idTokenAlgorithm, StringComparer.Ordinal))
        {
            throw RequestRejectedException.Invalid(
                $"id_token_signed_response_alg must be one of {string.Join(", ", ClientSettings.IdTokenAlgorithms)}, not '{idTokenAlgorithm}'.");
        }

        var consent = registration.Consent?.Trim() is { Length: > 0 } chosen ? chosen : ConsentTypes.Implicit;
        if (consent is not (ConsentTypes.Implicit or ConsentTypes.Explicit))
        {
            throw RequestRejectedException.Invalid($"consent must be '{ConsentTypes.Implicit}' or '{ConsentTypes.Explicit}', not '{consent}'.");
        }

        secret = registration.Public ? null : registration.Secret ?? GenerateSecret();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            DisplayName = string.IsNullOrWhiteSpace(registration.DisplayName) ? clientId : registration.DisplayName.Trim(),
            ClientType = registration.Public ? ClientTypes.Public : ClientTypes.Confidential,
            // First-party relying parties of this service: no consent screen (SPEC §1); third parties
            // get one (ConsentFlow).
            ConsentType = consent,
        };
        if (idTokenAlgorithm != ClientSettings.Rs256)
        {
            descriptor.Settings[ClientSettings.IdTokenSignedResponseAlg] = idTokenAlgorithm;
        }

        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(ParseRedirectUri(uri, "redirect URI"));
        }

        foreach (var uri in postLogoutRedirectUris)
        {
            descriptor.PostLogoutRedirectUris.Add(ParseRedirectUri(uri, "post-logout redirect URI"));
        }

        if (interactive)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.Authorization, Permissions.Endpoints.PushedAuthorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code]);
            if (scopes.Contains(Scopes.OfflineAccess))
            {
                descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
            }
        }

        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (!registration.Public)
        {
            // A confidential client may introspect and revoke its own tokens without extra set-up.
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Introspection, Permissions.GrantTypes.ClientCredentials]);
        }
        else
        {
            // PKCE is required of public clients (RFC 9700 §2.1.1).
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        descriptor.Permissions.UnionWith(scopes.Where(s => s != Scopes.OpenId).Select(s => Permissions.Prefixes.Scope + s));
        return descriptor;
    }

    /// <summary>
    /// Absolute, no fragment (RFC 6749 §3.1.2), HTTPS except on loopback (RFC 8252 §7.3), or a
    /// private-use scheme of a native app (RFC 8252 §7.1).
    /// </summary>
    private static Uri ParseRedirectUri(string value, string what)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw RequestRejectedException.Invalid($"The {what} '{value}' must be an absolute URI without a fragment.");
        }

        var loopback = uri.IsLoopback && uri.Host is "localhost" or "127.0.0.1" or "[::1]";
        var ok = uri.Scheme switch
        {
            "https" => true,
            "http" => loopback,
            _ => uri.Scheme.Contains('.'),
        };
        if (!ok)
        {
            throw RequestRejectedException.Invalid($"The {what} '{value}' must use https (http only on localhost/127.0.0.1, or a reverse-domain private scheme for native apps).");
        }

        return uri;
    }

    private static ClientSummary Summarize(OpenIddictApplicationDescriptor descriptor) => new(
        descriptor.ClientId!,
        descriptor.DisplayName,
        descriptor.ClientType ?? ClientTypes.Confidential,
        descriptor.RedirectUris.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList(),
        descriptor.PostLogoutRedirectUris.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList(),
        [Scopes.OpenId, .. descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(p => p[Permissions.Prefixes.Scope.Length..]).Order(StringComparer.Ordinal)],
        ClientSettings.IdTokenAlgorithm(descriptor.Settings),
        descriptor.ConsentType ?? ConsentTypes.Implicit);

    private static string GenerateSecret() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._~-]{1,100}$")]
    private static partial Regex ClientIdPattern();
}
