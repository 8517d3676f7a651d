using System.Net;
using System.Net.Sockets;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tenants;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// The real server (Program) on a fresh database, with a clock the test moves. In memory by
/// default; on Kestrel on a loopback port for browsers (<see cref="StartKestrelAsync"/>).
/// </summary>
public sealed class IdpTestHost : WebApplicationFactory<Program>
{
    /// <summary>The issuer of an in-memory host: where its test clients send their requests.</summary>
    public const string InMemoryIssuer = "https://localhost/";

    private readonly Dictionary<string, string?> settings;
    private readonly string environment;

    /// <summary>
    /// Every host would otherwise watch appsettings.json and wwwroot with inotify, and Linux allows a
    /// user 128 inotify instances: a test process with a few dozen hosts alive (and hosts whose
    /// watchers wait for the garbage collector) ran out, and hosts failed to start. Tests never edit
    /// those files, so configuration is not reloaded and files are polled instead.
    /// </summary>
    static IdpTestHost()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
    private int? kestrelPort;

    private readonly bool ownsDatabase = true;

    private IdpTestHost(TestDatabase database, IDictionary<string, string?>? extraSettings, bool ownsDatabase = true, string environment = "Testing")
    {
        this.ownsDatabase = ownsDatabase;
        this.environment = environment;
        Database = database;
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = database.ConnectionString,
            ["Database:Provider"] = database.Provider,
            ["Database:MigrateOnStart"] = "true",
            ["Mail:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "idp-test-mail-" + Guid.NewGuid().ToString("N")),
        };
        // Every test client comes from one address and the rate limiter runs on real time: the
        // throttling tests set their own limits, the others must not trip over the defaults.
        foreach (var endpoint in new[] { "Login", "ForgotPassword" })
        {
            foreach (var partition in new[] { "PerClient", "PerAddress" })
            {
                settings[$"RateLimits:{endpoint}:{partition}:PermitLimit"] = "100000";
            }
        }

        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>The server's warnings and errors.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>Starts at the real current time; tests advance it instead of sleeping.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// Starts in <paramref name="environment"/> ("Testing" by default: not Development, so the server
    /// needs <c>Oidc:Issuer</c>, which is <see cref="InMemoryIssuer"/> unless the settings name one).
    /// </summary>
    public static async Task<IdpTestHost> StartAsync(DatabaseKind kind, IDictionary<string, string?>? settings = null, string environment = "Testing")
    {
        var database = await TestDatabase.CreateAsync(kind);
        var host = new IdpTestHost(database, settings, environment: environment);
        _ = host.Services; // build and start now, so that migrations run before the first test
        return host;
    }

    /// <summary>A host whose start (on first use of <c>Services</c>) the test observes; the caller owns the database.</summary>
    public static IdpTestHost Unstarted(TestDatabase database, IDictionary<string, string?>? settings = null, string environment = "Testing") =>
        new(database, settings, ownsDatabase: false, environment: environment);

    /// <summary>Another node on the same database (a cluster without sticky sessions); the caller owns the database.</summary>
    public static IdpTestHost StartNode(TestDatabase database, IDictionary<string, string?>? settings = null)
    {
        var host = new IdpTestHost(database, settings, ownsDatabase: false);
        _ = host.Services;
        return host;
    }

    /// <summary>
    /// Serve over real HTTP on a free loopback port (for a real browser), with the issuer
    /// <c>http://127.0.0.1:{port}/</c>: the port is chosen before the start, since the issuer is
    /// configuration and every redirect is built on it.
    /// </summary>
    public static async Task<IdpTestHost> StartKestrelAsync(DatabaseKind kind, IDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var port = FreeLoopbackPort();
        var host = new IdpTestHost(database, new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Oidc:Issuer"] = $"http://127.0.0.1:{port}/",
            ["Oidc:RequireHttps"] = "false",
        })
        { kestrelPort = port };
        host.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        host.StartServer();
        return host;
    }

    /// <summary>Where the server is reached: https://localhost in memory, http://127.0.0.1:port on Kestrel.</summary>
    public Uri BaseAddress => ClientOptions.BaseAddress;

    /// <summary>What the server logged (Information and above).</summary>
    public CapturedLog Log { get; } = new();

    public TestBrowser CreateBrowser() => new(this);

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>A fresh tenant with a contract holder and a password user, unique to the calling test.</summary>
    public async Task<TestUser> CreateUserAsync(string password = TestUser.DefaultPassword)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var email = $"user-{id}@example.test";
        await InScopeAsync(async services =>
        {
            var tenants = services.GetRequiredService<TenantDirectory>();
            await tenants.CreateTenantAsync(new TenantCreation { Name = $"tenant-{id}", Plan = TenantPlan.Basic, HolderEmail = $"holder-{id}@example.test" });
            return await tenants.CreateUserAsync(new UserCreation { TenantName = $"tenant-{id}", Email = email, Password = password });
        });
        return new TestUser(email, password, $"tenant-{id}");
    }

    public Task<RegisteredClient> RegisterClientAsync(ClientRegistration registration) =>
        InScopeAsync(services => services.GetRequiredService<ClientRegistry>().AddAsync(registration));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        if (!settings.ContainsKey("Oidc:Issuer"))
        {
            settings["Oidc:Issuer"] = InMemoryIssuer;
        }

        // UseSetting (host configuration) is seen by Program before Build, unlike ConfigureAppConfiguration.
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (kestrelPort is null)
        {
            // TestServer reports the scheme of the base address: exercise the HTTPS-only defaults.
            ClientOptions.BaseAddress = new Uri(InMemoryIssuer);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Log);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ConnectionCounter>();
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
            services.ConfigureDbContext<IdpDbContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<ConnectionCounter>()));
        });
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }
}
