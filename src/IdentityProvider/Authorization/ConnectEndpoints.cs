namespace IdentityProvider.Authorization;

public static class ConnectEndpoints
{
    /// <summary>The passthrough endpoints; end session is a page (it may ask for confirmation).</summary>
    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeEndpoint.HandleAsync).ExcludeFromDescription();
        app.MapPost("connect/token", TokenEndpoint.HandleAsync).ExcludeFromDescription();
        app.MapMethods("connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoEndpoint.HandleAsync).ExcludeFromDescription();
        return app;
    }
}
