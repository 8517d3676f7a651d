namespace IdentityProvider.Tests.BadInput;

/// <summary>What an endpoint answers, and therefore how it must refuse bad input.</summary>
public enum EndpointKind
{
    /// <summary>A Razor page: the form again with a Japanese field error (200), or the Japanese error page.</summary>
    Page,

    /// <summary>
    /// A protocol endpoint a browser is sent to (<c>/connect/authorize</c>): an error goes back to a
    /// known client's registered redirect URI, anything else is the Japanese error page.
    /// </summary>
    Authorization,

    /// <summary>A protocol endpoint that answers JSON: an OAuth error (<c>error</c>), or a Bearer challenge.</summary>
    OAuthJson,

    /// <summary>The admin REST API: RFC 9457 problem details.</summary>
    AdminApi,

    /// <summary>Public metadata (discovery, JWKS, the OpenAPI document): the same document whatever the query.</summary>
    Discovery,

    /// <summary>Files under wwwroot.</summary>
    Static,
}
