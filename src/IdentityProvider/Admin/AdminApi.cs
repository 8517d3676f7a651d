using IdentityProvider.Clients;
using IdentityProvider.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentityProvider.Admin;

/// <summary>The same operations as the CLI, over HTTP (SPEC §11).</summary>
public static class AdminApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/clients", async (ClientRegistry clients, CancellationToken ct) =>
            TypedResults.Ok(await clients.ListAsync(ct)))
            .WithSummary("List registered clients");

        api.MapGet("/clients/{clientId}", async (string clientId, ClientRegistry clients, CancellationToken ct) =>
            TypedResults.Ok(await clients.GetAsync(clientId, ct)))
            .WithSummary("Get one client");

        api.MapPost("/clients", async Task<Created<RegisteredClient>> (ClientRegistration registration, ClientRegistry clients, CancellationToken ct) =>
            {
                var created = await clients.AddAsync(registration, ct);
                return TypedResults.Created($"/admin/api/clients/{Uri.EscapeDataString(created.Client.ClientId)}", created);
            })
            .WithSummary("Register a client; a generated secret is returned this once");

        api.MapDelete("/clients/{clientId}", async Task<NoContent> (string clientId, ClientRegistry clients, CancellationToken ct) =>
            {
                await clients.RemoveAsync(clientId, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Remove a client with its authorizations and tokens");

        api.MapGet("/tenants", async (TenantDirectory tenants, CancellationToken ct) =>
            TypedResults.Ok(await tenants.ListTenantsAsync(ct)))
            .WithSummary("List tenants");

        api.MapPost("/tenants", async Task<Created<TenantSummary>> (TenantCreation request, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateTenantAsync(request, ct);
                return TypedResults.Created($"/admin/api/tenants/{Uri.EscapeDataString(created.Name)}", created);
            })
            .WithSummary("Provision a tenant with its contract holder");

        api.MapPost("/users", async Task<Created<UserSummary>> (UserCreation request, TenantDirectory tenants, CancellationToken ct) =>
            {
                var created = await tenants.CreateUserAsync(request, ct);
                return TypedResults.Created($"/admin/api/users/{created.Id}", created);
            })
            .WithSummary("Create a password user in a tenant");
    }
}
