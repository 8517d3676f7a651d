using System.CommandLine;
using IdentityProvider.Data;
using IdentityProvider.Tenants;

namespace IdentityProvider.Cli;

/// <summary><c>tenants create|list</c>.</summary>
public static class TenantCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var name = new Option<string>("--name") { Description = "Tenant name (unique): 2-63 of a-z, 0-9 and '-'", Required = true };
        var plan = new Option<TenantPlan>("--plan") { Description = "Basic or FreeTrial", Required = true };
        var holderEmail = new Option<string>("--holder-email") { Description = "The contract holder's e-mail address", Required = true };
        var holderPassword = new Option<string?>("--holder-password") { Description = "Give the holder a password now (else registered through the invitation mail)" };
        var twoFactor = new Option<string>("--two-factor") { Description = "on or off (R-5.1)", DefaultValueFactory = _ => "on" };
        twoFactor.AcceptOnlyFromAmong("on", "off");

        var create = new Command("create", "Provision a tenant with its contract holder") { name, plan, holderEmail, holderPassword, twoFactor };
        create.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var tenant = await FlagNames.RunAsync(
                () => scope.GetRequiredService<TenantDirectory>().CreateTenantAsync(new TenantCreation
                {
                    Name = parsed.GetValue(name)!,
                    Plan = parsed.GetValue(plan),
                    HolderEmail = parsed.GetValue(holderEmail)!,
                    HolderPassword = parsed.GetValue(holderPassword),
                    TwoFactorEnabled = parsed.GetValue(twoFactor) == "on",
                }, token),
                ("name", name), ("plan", plan), ("holderEmail", holderEmail), ("holderPassword", holderPassword), ("twoFactorEnabled", twoFactor));
            await output.WriteLineAsync($"tenant '{tenant.Name}' created ({tenant.Plan}, two-factor {(tenant.TwoFactorEnabled ? "on" : "off")}), id {tenant.Id}, contract holder {tenant.HolderEmail}");
            if (parsed.GetValue(holderPassword) is null)
            {
                await output.WriteLineAsync("The contract holder has no password yet: they register one through the invitation mail.");
            }
        }, ct));

        var list = new Command("list", "List tenants");
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            foreach (var tenant in await scope.GetRequiredService<TenantDirectory>().ListTenantsAsync(token))
            {
                await output.WriteLineAsync($"{tenant.Name}\t{tenant.Plan}\t{tenant.AccessRoute}\ttwo-factor={(tenant.TwoFactorEnabled ? "on" : "off")}\tholder={tenant.HolderEmail}");
            }
        }, ct));

        return new Command("tenants", "Manage tenants") { create, list };
    }
}
