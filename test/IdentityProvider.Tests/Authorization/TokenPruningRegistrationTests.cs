using IdentityProvider.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Authorization;

public sealed class TokenPruningRegistrationTests
{
    [TestCase("TokenPruning:Interval", "00:00:10", "Interval")]
    [TestCase("TokenPruning:Interval", "00:00:00", "Interval")]
    [TestCase("TokenPruning:Retention", "-1.00:00:00", "Retention")]
    public void Start_InvalidPruningSetting_FailsNamingIt(string key, string value, string member)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddIdpTokenPruning();
        using var host = builder.Build();

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(member));
    }
}
