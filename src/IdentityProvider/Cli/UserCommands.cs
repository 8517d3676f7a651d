using System.CommandLine;
using IdentityProvider.Data;
using IdentityProvider.Tenants;

namespace IdentityProvider.Cli;

/// <summary><c>users create</c>.</summary>
public static class UserCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant name", Required = true };
        var email = new Option<string>("--email") { Description = "Login e-mail address", Required = true };
        var password = new Option<string>("--password") { Description = "Password (R-7.1)", Required = true };
        var role = new Option<UserRole>("--role") { Description = "User or Admin", DefaultValueFactory = _ => UserRole.User };
        var name = new Option<string?>("--display-name") { Description = "Display name (at most 200 characters)" };

        var create = new Command("create", "Create a password user in a tenant") { tenant, email, password, role, name };
        create.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var user = await FlagNames.RunAsync(
                () => scope.GetRequiredService<TenantDirectory>().CreateUserAsync(new UserCreation
                {
                    TenantName = parsed.GetValue(tenant)!,
                    Email = parsed.GetValue(email)!,
                    Password = parsed.GetValue(password)!,
                    Role = parsed.GetValue(role),
                    DisplayName = parsed.GetValue(name),
                }, token),
                ("tenantName", tenant), ("email", email), ("password", password), ("role", role), ("displayName", name));
            await output.WriteLineAsync($"user {user.Email} created in tenant '{user.TenantName}' ({user.Role}), id {user.Id}");
        }, ct));

        return new Command("users", "Manage users") { create };
    }
}
