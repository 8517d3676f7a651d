using IdentityProvider.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Retention;

public sealed class RetentionRegistrationTests
{
    [TestCase("Retention:Audit", "365.00:00:00", "Retention:Audit must be at least 366 days")]
    [TestCase("Retention:Audit", "30.00:00:00", "Retention:Audit must be at least 366 days")]
    [TestCase("Retention:Default", "00:00:00", "Default")]
    [TestCase("Retention:AddressCounters", "1.00:00:00", "AddressCounters")]
    [TestCase("Retention:Interval", "00:00:10", "Interval")]
    public void Start_InvalidRetentionSetting_FailsNamingIt(string key, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddIdpRetention();
        using var host = builder.Build();

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(expected));
    }

    [Test]
    public void Validate_AuditRetentionOfTheMinimum_IsAccepted()
    {
        var options = new RetentionOptions { Audit = RetentionOptions.MinimumAudit };

        Assert.That(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)), Is.Empty);
    }
}
