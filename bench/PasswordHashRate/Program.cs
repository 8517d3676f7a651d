using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Passwords;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PasswordHashRate;

/// <summary>
/// How many password checks per second this machine does with the server's own password hasher
/// (Argon2id, <see cref="Argon2idPasswordHasher"/>) and the parameters the server would run with:
/// <c>Passwords:Argon2id</c> from the server's appsettings.json (<c>--config</c>, the publish folder)
/// and the same environment variables, validated as at the server's start. A check of a current hash
/// is exactly the hash work a sign-in costs. <c>--memory-kib</c> / <c>--iterations</c> override
/// the configuration, to compare another setting in the same run.
///
///   dotnet PasswordHashRate.dll [--config DIR] [--memory-kib M] [--iterations T]
///                               [--threads 2] [--seconds 10] [--warmup 2] [--json out.json]
/// </summary>
internal static class Program
{
    private const string Password = "Bench-Passw0rd!2026";

    private static int Main(string[] args)
    {
        var threads = Environment.ProcessorCount;
        var seconds = 10.0;
        var warmup = 2.0;
        string? jsonPath = null;
        string? configDirectory = null;
        var overrides = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json": jsonPath = args[++i]; break;
                case "--config": configDirectory = args[++i]; break;
                case "--memory-kib": overrides[$"{Argon2idOptions.Section}:{nameof(Argon2idOptions.MemorySizeKiB)}"] = args[++i]; break;
                case "--iterations": overrides[$"{Argon2idOptions.Section}:{nameof(Argon2idOptions.Iterations)}"] = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        // The server's configuration sources for this section, in its order of precedence.
        var configuration = new ConfigurationBuilder();
        if (configDirectory is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(Path.Combine(configDirectory, "appsettings.json")), optional: false);
        }

        configuration.AddEnvironmentVariables().AddInMemoryCollection(overrides);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration.Build())
            .AddArgon2idPasswordHasher()
            .BuildServiceProvider();

        Argon2idOptions settings;
        try
        {
            settings = services.GetRequiredService<IOptions<Argon2idOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var hasher = services.GetRequiredService<IPasswordHasher<ApplicationUser>>();
        var user = new ApplicationUser();
        var hash = hasher.HashPassword(user, Password);
        if (hasher.VerifyHashedPassword(user, hash, Password) != PasswordVerificationResult.Success)
        {
            Console.Error.WriteLine("the hasher does not verify its own hash");
            return 1;
        }

        long Run(double duration)
        {
            long total = 0;
            var stop = Stopwatch.GetTimestamp() + (long)(duration * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                long count = 0;
                while (Stopwatch.GetTimestamp() < stop)
                {
                    if (hasher.VerifyHashedPassword(user, hash, Password) != PasswordVerificationResult.Success)
                    {
                        throw new InvalidOperationException("verification failed");
                    }

                    count++;
                }

                Interlocked.Add(ref total, count);
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            return total;
        }

        Run(warmup);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var verified = Run(seconds);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var perSecond = verified / elapsed;
        var result = new
        {
            algorithm = $"Argon2id m={settings.MemorySizeKiB} KiB, t={settings.Iterations}, p={settings.Parallelism} ({hasher.GetType().Name}, libsodium)",
            parameters = new { memorySizeKiB = settings.MemorySizeKiB, iterations = settings.Iterations, parallelism = settings.Parallelism },
            threads,
            warmupSeconds = warmup,
            seconds = elapsed,
            verifications = verified,
            perSecond,
            msPerVerificationPerThread = 1000.0 * threads / perSecond,
            // CPU time per verification: unlike the rate, it does not depend on how much of the machine
            // other processes took meanwhile.
            cpuMsPerVerification = cpu / verified,
            cpuPercent = 100.0 * cpu / 1000.0 / elapsed,
        };
        var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
        Console.WriteLine(json);
        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, json);
        }

        return 0;
    }
}
