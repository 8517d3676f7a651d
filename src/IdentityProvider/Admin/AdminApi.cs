using IdentityProvider.Clients;
using IdentityProvider.Mail;
using IdentityProvider.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace IdentityProvider.Admin;

/// <summary>
/// The same operations as the CLI, over HTTP (SPEC §11). Rejections become problem details in
/// <see cref="RejectionProblemFilter"/>; the statuses each operation can answer are declared here
/// so that the OpenAPI document shows them.
/// </summary>
public static class AdminApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/clients", async (ClientRegistry clients, CancellationToken ct) =>
            TypedResults.Ok(await clients.ListAsync(ct)))
            .WithSummary("List registered clients");

        api.MapGet("/clients/{clientId}", async (string clientId, ClientRegistry clients, CancellationToken ct) =>
            TypedResults.Ok(await clients.GetAsync(clientId, ct)))
            .WithSummary("Get one client")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/clients", async Task<Created<RegisteredClient>> (HttpRequest request, AdminJsonBody body, ClientRegistry clients, CancellationToken ct) =>
            {
                var created = await clients.AddAsync(await body.ReadAsync<ClientRegistration>(request, ct), ct);
                return TypedResults.Created($"/admin/api/clients/{Uri.EscapeDataString(created.Client.ClientId)}", created);
            })
            .WithSummary("Register a client; a generated secret is returned this once")
            .AcceptsJson<ClientRegistration>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapDelete("/clients/{clientId}", async Task<NoContent> (string clientId, ClientRegistry clients, CancellationToken ct) =>
            {
                await clients.RemoveAsync(clientId, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Remove a client with its authorizations and tokens")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/tenants", async (TenantDirectory tenants, CancellationToken ct) =>
            TypedResults.Ok(await tenants.ListTenantsAsync(ct)))
            .WithSummary("List tenants");

        api.MapGet("/tenants/{name}", async (string name, TenantDirectory tenants, CancellationToken ct) =>
            TypedResults.Ok(await tenants.GetTenantAsync(name, ct)))
            .WithSummary("Get one tenant")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/tenants", async Task<Created<TenantSummary>> (HttpRequest request, AdminJsonBody body, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateTenantAsync(await body.ReadAsync<TenantCreation>(request, ct), ct);
                return TypedResults.Created($"/admin/api/tenants/{Uri.EscapeDataString(created.Name)}", created);
            })
            .WithSummary("Provision a tenant with its contract holder")
            .AcceptsJson<TenantCreation>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/users/{id:guid}", async (Guid id, TenantDirectory tenants, CancellationToken ct) =>
            TypedResults.Ok(await tenants.GetUserAsync(id, ct)))
            .WithSummary("Get one user")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/users", async Task<Created<UserSummary>> (HttpRequest request, AdminJsonBody body, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateUserAsync(await body.ReadAsync<UserCreation>(request, ct), ct);
                return TypedResults.Created($"/admin/api/users/{created.Id}", created);
            })
            .WithSummary("Create a password user in a tenant")
            .AcceptsJson<UserCreation>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        // limit taken as text: a malformed number gets problem details naming it, not binding's bare 400.
        api.MapGet("/mail", async ([FromQuery] string? status, [FromQuery] string? limit, MailOutboxReport mail, CancellationToken ct) =>
            TypedResults.Ok(await mail.ListAsync(status, AdminQuery.Number<int>(limit, "limit"), ct)))
            .WithSummary("List outbox mail, newest first: status failed, pending or sent (all when omitted); never the bodies")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        AuditApi.Map(api);
    }

    /// <summary>
    /// A JSON body read by <see cref="AdminJsonBody"/>, described for the OpenAPI document with the
    /// refusals it adds. Not with <c>Accepts&lt;T&gt;</c>: routing would then answer another media type
    /// itself, before authorization and without a detail or a log line.
    /// </summary>
    private static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder)
        where T : notnull =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // Named in the components, as a bound body parameter's schema would be.
                var document = context.Document!;
                document.AddComponent(typeof(T).Name, await context.GetOrCreateSchemaAsync(typeof(T), parameterDescription: null, cancellationToken));
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(typeof(T).Name, document) } },
                };
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
