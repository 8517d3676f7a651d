using IdentityProvider.Authorization;
using IdentityProvider.Clients;
using IdentityProvider.Keys;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Hosting;

public static class OpenIddictExtensions
{
    /// <summary>The OpenIddict authorization server, its EF Core stores and local token validation.</summary>
    public static IHostApplicationBuilder AddIdpOpenIddict(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OidcOptions>()
            .BindConfiguration(OidcOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var oidc = builder.Configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();

        builder.Services.AddScoped<ServerKeyStore>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureServerKeys>();
        builder.Services.AddSingleton<ServerKeyChangeTokenSource>();
        builder.Services.AddSingleton<SigningKeys>();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(sp => sp.GetRequiredService<ServerKeyChangeTokenSource>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>>(sp => sp.GetRequiredService<ServerKeyChangeTokenSource>());
        builder.Services.AddSingleton<ServerKeyRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServerKeyRefresher>());
        builder.Services.AddScoped<OidcPrincipalFactory>();
        builder.Services.AddScoped<RevokedAccessTokens>();

        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                // The EF Core stores, and those replacing OpenIddict's, are AddIdpPersistence's.
                // Client secrets as a keyed hash instead of PBKDF2 (see ClientSecretHash); applications
                // cached across requests (ApplicationCache).
                core.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, ClientApplicationManager>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetPushedAuthorizationEndpointUris("connect/par")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris("connect/endsession");

                server.AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();

                server.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess, IdpScopes.Admin);
                server.RegisterClaims(
                    Claims.Subject, Claims.Email, Claims.EmailVerified, Claims.Name, Claims.Role,
                    Claims.AuthenticationTime, Claims.AuthenticationMethodReference,
                    IdpClaims.TenantId, IdpClaims.LoginMethod, IdpClaims.AccessRoute);

                server.SetAccessTokenLifetime(oidc.AccessTokenLifetime)
                    .SetIdentityTokenLifetime(oidc.IdentityTokenLifetime)
                    .SetAuthorizationCodeLifetime(oidc.AuthorizationCodeLifetime)
                    .SetRefreshTokenLifetime(oidc.RefreshTokenLifetime);

                // A redeemed refresh token is dead at once: replaying it is treated as theft and
                // revokes the whole chain (OAuth 2.0 Security BCP §4.14.2).
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // Access tokens are signed JWTs that resource servers validate against our JWKS;
                // encrypting them would hide them from every resource server but this one.
                server.DisableAccessTokenEncryption();

                if (oidc.Issuer is not null)
                {
                    server.SetIssuer(oidc.Issuer);
                }

                server.AddEventHandler(TokenSigningHandler.Descriptor);
                server.AddIdpProtocolHardening();

                // No row for ID tokens and client-credentials access tokens (UnrecordedTokens says
                // why); revoking such an access token puts it on a deny list, checked wherever this
                // server validates access tokens.
                server.AddEventHandler(UnrecordedTokens.Descriptor)
                    .RemoveEventHandler(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor)
                    .AddEventHandler(RevokeStatelessAccessTokens.Descriptor)
                    .AddEventHandler(StatelessAccessTokenValidation.ServerDescriptor);

                // "A confidential client may introspect and revoke its own tokens": only its own.
                server.AddEventHandler(OwnTokensOnlyHandler.IntrospectionDescriptor)
                    .AddEventHandler(OwnTokensOnlyHandler.RevocationDescriptor);

                server.AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyAuthorizationResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyTokenResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyUserInfoResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyIntrospectionResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyRevocationResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyEndSessionResponseContext>.Descriptor)
                    .AddEventHandler(ProtocolErrorLogger<OpenIddictServerEvents.ApplyPushedAuthorizationResponseContext>.Descriptor);

                var aspNetCore = server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();
                if (!oidc.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
                // A revoked token, or one of a removed client, stops working at once instead of at
                // expiry: local validation otherwise trusts a JWT's signature and lifetime alone.
                validation.EnableTokenEntryValidation();
                validation.AddEventHandler(StatelessAccessTokenValidation.ValidationDescriptor);
            });

        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<TimeProvider>((options, time) =>
        {
            options.TimeProvider = time;
            // "plain" adds nothing over no PKCE against a code interceptor (RFC 9700 §2.1.1).
            options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
        });
        builder.Services.AddOptions<OpenIddictValidationOptions>().Configure<TimeProvider>((options, time) => options.TimeProvider = time);
        return builder;
    }
}
