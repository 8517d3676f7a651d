using System.Net;
using System.Security.Cryptography;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// A real third-party relying party: an ASP.NET Core app using Microsoft's OpenID Connect handler
/// (discovery, code + PKCE, form_post response, id_token validation, userinfo, RP-initiated logout)
/// against our IdP, as a customer's app would. Registered as a confidential client of its own.
/// </summary>
public sealed class AspNetCoreRelyingParty : IAsyncDisposable
{
    public const string ClaimsListId = "rp-claims";
    public const string SignedOutId = "rp-signed-out";

    private readonly WebApplication app;

    private AspNetCoreRelyingParty(WebApplication app, string clientId)
    {
        this.app = app;
        ClientId = clientId;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public string ClientId { get; }

    public Uri BaseAddress { get; }

    public static async Task<AspNetCoreRelyingParty> StartAsync(IdpTestHost idp)
    {
        var clientId = "aspnet-rp-" + Guid.NewGuid().ToString("N")[..10];
        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options => options.Cookie.Name = "rp.session")
            .AddOpenIdConnect(options =>
            {
                options.Authority = idp.BaseAddress.ToString();
                options.RequireHttpsMetadata = false;
                options.ClientId = clientId;
                options.ClientSecret = secret;
                options.ResponseType = "code";
                options.UsePkce = true;
                options.SaveTokens = true;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.MapInboundClaims = false;
                options.Scope.Add("email");
                options.Scope.Add("profile");
                options.Scope.Add("offline_access");
                options.TokenValidationParameters.NameClaimType = "email";
                // Loopback over plain HTTP: the correlation and nonce cookies cannot be Secure here.
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
            });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", async (HttpContext context) =>
        {
            var claims = string.Join("", context.User.Claims.Select(c =>
                $"<li data-type=\"{WebUtility.HtmlEncode(c.Type)}\">{WebUtility.HtmlEncode(c.Value)}</li>"));
            var refresh = await context.GetTokenAsync("refresh_token");
            return Results.Content(
                $"<!DOCTYPE html><html lang=\"en\"><body><ul id=\"{ClaimsListId}\">{claims}</ul>" +
                $"<p id=\"rp-has-refresh-token\">{(refresh is null ? "no" : "yes")}</p><a id=\"rp-logout\" href=\"/logout\">Sign out</a></body></html>",
                "text/html; charset=utf-8");
        }).RequireAuthorization();
        app.MapGet("/logout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/bye" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapGet("/bye", () => Results.Content(
            $"<!DOCTYPE html><html lang=\"en\"><body><p id=\"{SignedOutId}\">Signed out of the relying party.</p></body></html>",
            "text/html; charset=utf-8"));
        await app.StartAsync();

        var rp = new AspNetCoreRelyingParty(app, clientId);
        await idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId,
            Secret = secret,
            RedirectUris = [new Uri(rp.BaseAddress, "/signin-oidc").ToString()],
            PostLogoutRedirectUris = [new Uri(rp.BaseAddress, "/signout-callback-oidc").ToString()],
        });
        return rp;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
