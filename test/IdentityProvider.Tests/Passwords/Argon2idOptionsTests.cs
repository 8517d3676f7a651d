using IdentityProvider.Data;
using IdentityProvider.Passwords;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Passwords;

/// <summary><c>Passwords:Argon2id</c> is checked at start: nothing below OWASP's minimum, one lane, sane ranges.</summary>
public sealed class Argon2idOptionsTests
{
    [TestCase("8192", "1", null, "below OWASP's minimum")]
    [TestCase("12288", "2", null, "below OWASP's minimum")]
    [TestCase("19455", "2", null, "below OWASP's minimum")]
    [TestCase("47103", "1", null, "below OWASP's minimum")]
    [TestCase("4096", "10", null, "Passwords:Argon2id:MemorySizeKiB must be between 7168 and 1048576")]
    [TestCase("2097152", "2", null, "Passwords:Argon2id:MemorySizeKiB must be between 7168 and 1048576")]
    [TestCase("19456", "0", null, "Passwords:Argon2id:Iterations must be between 1 and 16")]
    [TestCase("19456", "100", null, "Passwords:Argon2id:Iterations must be between 1 and 16")]
    [TestCase("19456", "2", "2", "Parallelism must be 1")]
    public void Start_WeakOrImpossibleParameters_FailsNamingThem(string memory, string iterations, string? parallelism, string expected)
    {
        using var host = Build(new()
        {
            ["Passwords:Argon2id:MemorySizeKiB"] = memory,
            ["Passwords:Argon2id:Iterations"] = iterations,
            ["Passwords:Argon2id:Parallelism"] = parallelism,
        });

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(expected));
    }

    [TestCase(null, null)]
    [TestCase("47104", "1")]
    [TestCase("12288", "3")]
    [TestCase("7168", "5")]
    [TestCase("65536", "3")]
    public async Task Start_OwaspSettingOrStronger_Starts(string? memory, string? iterations)
    {
        using var host = Build(new()
        {
            ["Passwords:Argon2id:MemorySizeKiB"] = memory,
            ["Passwords:Argon2id:Iterations"] = iterations,
        });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Test]
    public void Defaults_AreOwaspsMinimum()
    {
        using var host = Build([]);

        var options = host.Services.GetRequiredService<IOptions<Argon2idOptions>>().Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((options.MemorySizeKiB, options.Iterations, options.Parallelism), Is.EqualTo((19456, 2, 1)));
            Assert.That(host.Services.GetRequiredService<IPasswordHasher<ApplicationUser>>(), Is.InstanceOf<Argon2idPasswordHasher>());
        }
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // An unset key stays unset (a null value would bind as 0).
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.Services.AddArgon2idPasswordHasher();
        return builder.Build();
    }
}
