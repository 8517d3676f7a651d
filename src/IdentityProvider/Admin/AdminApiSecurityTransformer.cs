using IdentityProvider.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdentityProvider.Admin;

/// <summary>Describes in the OpenAPI document how to get a token for the admin API.</summary>
public sealed class AdminApiSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Identity provider admin API";
        document.Info.Description = $"Operator API. Authenticate with an access token from /connect/token (client_credentials grant) carrying the '{IdpScopes.Admin}' scope.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["oauth2"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow
                {
                    TokenUrl = new Uri("/connect/token", UriKind.Relative),
                    Scopes = new Dictionary<string, string> { [IdpScopes.Admin] = "Manage clients, tenants and users" },
                },
            },
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("oauth2", document)] = [IdpScopes.Admin] });
        return Task.CompletedTask;
    }
}
