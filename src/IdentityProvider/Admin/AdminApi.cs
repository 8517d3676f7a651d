using IdentityProvider.Clients;
using IdentityProvider.Mail;
using IdentityProvider.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

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

        api.MapPost("/clients", async Task<Created<RegisteredClient>> (ClientRegistration registration, ClientRegistry clients, CancellationToken ct) =>
            {
                var created = await clients.AddAsync(registration, ct);
                return TypedResults.Created($"/admin/api/clients/{Uri.EscapeDataString(created.Client.ClientId)}", created);
            })
            .WithSummary("Register a client; a generated secret is returned this once")
            .ProducesProblem(StatusCodes.Status400BadRequest)
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

        api.MapPost("/tenants", async Task<Created<TenantSummary>> (TenantCreation request, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateTenantAsync(request, ct);
                return TypedResults.Created($"/admin/api/tenants/{Uri.EscapeDataString(created.Name)}", created);
            })
            .WithSummary("Provision a tenant with its contract holder")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/users/{id:guid}", async (Guid id, TenantDirectory tenants, CancellationToken ct) =>
            TypedResults.Ok(await tenants.GetUserAsync(id, ct)))
            .WithSummary("Get one user")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/users", async Task<Created<UserSummary>> (UserCreation request, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateUserAsync(request, ct);
                return TypedResults.Created($"/admin/api/users/{created.Id}", created);
            })
            .WithSummary("Create a password user in a tenant")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/mail", async (string? status, int? limit, MailOutboxReport mail, CancellationToken ct) =>
            TypedResults.Ok(await mail.ListAsync(status, limit, ct)))
            .WithSummary("List outbox mail, newest first: status failed, pending or sent (all when omitted); never the bodies")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        AuditApi.Map(api);
    }
}
