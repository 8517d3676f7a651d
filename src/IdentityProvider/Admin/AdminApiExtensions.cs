using System.Text.Json.Serialization;
using IdentityProvider.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace IdentityProvider.Admin;

public static class AdminApiExtensions
{
    public const string Policy = "idp.admin";

    /// <summary>
    /// The operators' REST API: bearer access tokens from this server (client credentials) that carry
    /// the <c>idp.admin</c> scope, validated locally.
    /// </summary>
    public static IHostApplicationBuilder AddIdpAdminApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.HasScope(IdpScopes.Admin)));
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // Enums by name only ("plan": 7 is not a plan), and no field taken silently: a misspelt
            // optional field would otherwise register something the operator did not ask for.
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddSingleton<AdminJsonBody>();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<AdminApiSecurityTransformer>());
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        // The API's description is for whoever builds against it, not for the public: served only
        // where AdminApi:OpenApi says so (by default in Development).
        var services = app.ServiceProvider;
        if (services.GetRequiredService<IConfiguration>().GetValue<bool?>("AdminApi:OpenApi")
            ?? services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            app.MapOpenApi();
        }

        var api = app.MapGroup("/admin/api")
            .RequireAuthorization(Policy)
            .AddEndpointFilter<OperatorCultureFilter>()
            .AddEndpointFilter<OperatorIdentityFilter>()
            .AddEndpointFilter<RejectionProblemFilter>()
            .AddEndpointFilter<RepeatedQueryFilter>()
            .WithMetadata(new ProducesResponseTypeAttribute(StatusCodes.Status401Unauthorized), new ProducesResponseTypeAttribute(StatusCodes.Status403Forbidden))
            .WithTags("Admin");
        AdminApi.Map(api);
        return app;
    }
}
