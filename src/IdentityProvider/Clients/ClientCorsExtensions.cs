namespace IdentityProvider.Clients;

public static class ClientCorsExtensions
{
    /// <summary>
    /// CORS for browser apps on the endpoints they call (<see cref="ClientCorsMiddleware"/>). Before
    /// authentication: OpenIddict answers discovery, JWKS and revocation itself in that middleware.
    /// </summary>
    public static IApplicationBuilder UseIdpClientCors(this IApplicationBuilder app) => app.UseMiddleware<ClientCorsMiddleware>();
}
