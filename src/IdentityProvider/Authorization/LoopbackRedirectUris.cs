using System.Net;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// Takes the place of OpenIddict's redirect URI check at the authorization and PAR endpoints. Every
/// redirect URI must match a registered one exactly (RFC 9700 §4.1.3), with one exception: a public
/// (native) client registered with a loopback IP literal — <c>http://127.0.0.1/…</c> or
/// <c>http://[::1]/…</c> — may use any port, which the operating system picks at run time
/// (RFC 8252 §7.3). Scheme, address, path and query still match exactly; <c>localhost</c> is not
/// such a literal (RFC 8252 §8.3) and matches exactly.
/// </summary>
public sealed class LoopbackRedirectUris(IOpenIddictApplicationManager applications) :
    IOpenIddictServerHandler<ValidateAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<LoopbackRedirectUris>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientRedirectUri.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor PushedDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
            .UseScopedHandler<LoopbackRedirectUris>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedClientRedirectUri.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var application = await applications.FindByClientIdAsync(context.ClientId!, context.CancellationToken)
            ?? throw new InvalidOperationException("The client application cannot be found.");
        var resolved = await ResolveAsync(applications, application, context.RedirectUri, context.CancellationToken);
        if (resolved is null)
        {
            context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
        }
        else if (string.IsNullOrEmpty(context.RedirectUri))
        {
            context.SetRedirectUri(resolved);
        }
    }

    public async ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
    {
        var application = await applications.FindByClientIdAsync(context.ClientId!, context.CancellationToken)
            ?? throw new InvalidOperationException("The client application cannot be found.");
        var resolved = await ResolveAsync(applications, application, context.RedirectUri, context.CancellationToken);
        if (resolved is null)
        {
            context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
        }
        else if (string.IsNullOrEmpty(context.RedirectUri))
        {
            context.SetRedirectUri(resolved);
        }
    }

    /// <summary>
    /// The redirect URI a request may use: the one it gave when it is registered (exactly, or a
    /// loopback IP literal on any port for a public client), the only registered one when it gave
    /// none (OpenIddict's rule), else null.
    /// </summary>
    public static async ValueTask<string?> ResolveAsync(IOpenIddictApplicationManager applications, object application, string? requested, CancellationToken cancellationToken)
    {
        var registered = await applications.GetRedirectUrisAsync(application, cancellationToken);
        if (string.IsNullOrEmpty(requested))
        {
            return registered.Length == 1 ? registered[0] : null;
        }

        if (registered.Contains(requested, StringComparer.Ordinal))
        {
            return requested;
        }

        if (!IsLoopbackLiteral(requested, out var uri) || !await applications.HasClientTypeAsync(application, ClientTypes.Public, cancellationToken))
        {
            return null;
        }

        return registered.Any(r => IsLoopbackLiteral(r, out var candidate) && SameButPort(candidate, uri)) ? requested : null;
    }

    private static bool IsLoopbackLiteral(string value, out Uri uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri!) && uri.Scheme == Uri.UriSchemeHttp && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
        && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)
        && string.IsNullOrEmpty(uri.UserInfo) && string.IsNullOrEmpty(uri.Fragment);

    private static bool SameButPort(Uri registered, Uri requested) =>
        string.Equals(registered.IdnHost, requested.IdnHost, StringComparison.OrdinalIgnoreCase)
        && string.Equals(registered.AbsolutePath, requested.AbsolutePath, StringComparison.Ordinal)
        && string.Equals(registered.Query, requested.Query, StringComparison.Ordinal);
}
