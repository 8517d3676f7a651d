using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

public static class ProtocolHardeningExtensions
{
    /// <summary>How long a PAR request_uri lives (RFC 9126 §2.2: short, as it is used at once).</summary>
    public static readonly TimeSpan PushedRequestLifetime = TimeSpan.FromSeconds(90);

    /// <summary>
    /// What a hostile client can send the protocol endpoints, and what discovery promises: bounded
    /// and single parameters, no secrets in URLs, one client authentication, <c>max_age</c> checked,
    /// bounded PAR, no ID or refresh token for client credentials, errors redirected to known clients,
    /// loopback redirect URIs on any port, an audience in every access token, and third-party consent.
    /// </summary>
    public static OpenIddictServerBuilder AddIdpProtocolHardening(this OpenIddictServerBuilder server)
    {
        server.Services.TryAddScoped<ConsentGrants>();
        server.Services.TryAddScoped<ConsentFlow>();
        server.Services.TryAddSingleton<ConsentMarker>();

        server.AddEventHandler(RequestParameterLimits<ExtractAuthorizationRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractPushedAuthorizationRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractTokenRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractIntrospectionRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractRevocationRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractUserInfoRequestContext>.Descriptor)
            .AddEventHandler(RequestParameterLimits<ExtractEndSessionRequestContext>.Descriptor);

        server.AddEventHandler(SingleClientAuthentication<ExtractPushedAuthorizationRequestContext>.Descriptor)
            .AddEventHandler(SingleClientAuthentication<ExtractTokenRequestContext>.Descriptor)
            .AddEventHandler(SingleClientAuthentication<ExtractIntrospectionRequestContext>.Descriptor)
            .AddEventHandler(SingleClientAuthentication<ExtractRevocationRequestContext>.Descriptor);

        server.AddEventHandler(MaxAgeParameter.AuthorizationDescriptor)
            .AddEventHandler(MaxAgeParameter.PushedDescriptor)
            .AddEventHandler(ClientCredentialsScopes.Descriptor)
            .AddEventHandler(AccessTokenAudiences.Descriptor)
            .AddEventHandler(AuthorizationErrorRedirect.Descriptor)
            .AddEventHandler(PushedRequestQuota.ValidationDescriptor)
            .AddEventHandler(PushedRequestQuota.ResponseDescriptor);

        server.RemoveEventHandler(OpenIddictServerHandlers.Authentication.ValidateClientRedirectUri.Descriptor)
            .RemoveEventHandler(OpenIddictServerHandlers.Authentication.ValidatePushedClientRedirectUri.Descriptor)
            .AddEventHandler(LoopbackRedirectUris.AuthorizationDescriptor)
            .AddEventHandler(LoopbackRedirectUris.PushedDescriptor);

        server.Configure(options =>
        {
            options.RequestTokenLifetime = PushedRequestLifetime;
            // Discovery advertises only what works: no account chooser, and no client has a key
            // for private_key_jwt (client assertions are refused altogether).
            options.PromptValues.Remove(PromptValues.SelectAccount);
            options.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
            options.ClientAssertionTypes.Clear();
        });

        // The admin API (OpenIddict validation) takes its bearer token from the header only
        // (RFC 6750 §2.3, RFC 9700 §4.3.2): a token in a URL ends up in logs and Referer headers.
        server.Services.Configure<OpenIddictValidationAspNetCoreOptions>(options =>
        {
            options.DisableAccessTokenExtractionFromQueryString = true;
            options.DisableAccessTokenExtractionFromBodyForm = true;
        });
        return server;
    }
}
