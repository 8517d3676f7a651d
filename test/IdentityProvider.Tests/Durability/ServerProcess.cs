using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Durability;

/// <summary>
/// The real executable (<c>dotnet IdentityProvider.dll</c>, copied next to the tests) serving on
/// Kestrel as a child process, configured through environment variables as an operator would, on
/// one database and one port across restarts, so that the crash test can kill it with SIGKILL and
/// start it again where it was. Operator commands run with the same configuration.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private const int KeptOutputLines = 300;

    private readonly Dictionary<string, string> environment;
    private readonly Queue<string> output = new();
    private readonly HttpClient probe = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Lock state = new();
    private Process? process;
    private TaskCompletionSource up = NewSignal();

    public ServerProcess(string provider, string connectionString, string mailFolder)
    {
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Oidc__Issuer"] = BaseAddress.ToString(),
            ["Oidc__RequireHttps"] = "false",
            ["ConnectionStrings__Default"] = connectionString,
            ["Database__Provider"] = provider,
            ["Database__MigrateOnStart"] = "true",
            ["Mail__PickupDirectory"] = mailFolder,
            ["Logging__LogLevel__Default"] = "Warning",
            // One address sends every request of the load; the limits are not what is tested here.
            ["RateLimits__Login__PerClient__PermitLimit"] = "1000000",
            ["RateLimits__Login__PerAddress__PermitLimit"] = "1000000",
            ["RateLimits__ForgotPassword__PerClient__PermitLimit"] = "1000000",
            ["RateLimits__ForgotPassword__PerAddress__PermitLimit"] = "1000000",
            ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false",
        };
    }

    /// <summary>Where the server listens, and its issuer: the same for every run, as tokens name their issuer.</summary>
    public Uri BaseAddress { get; }

    /// <summary>How many times the server has been started; a request is answered by the run current when it was sent.</summary>
    public int Run { get; private set; }

    /// <summary>Completes when the current run answers; a kill replaces it with one that waits for the next run.</summary>
    public Task Up
    {
        get
        {
            lock (state)
            {
                return up.Task;
            }
        }
    }

    /// <summary>The run a request sent now goes to, and whether that run is up (else the request meets a dead or starting server).</summary>
    public Moment Now()
    {
        lock (state)
        {
            return new Moment(Run, up.Task, up.Task.IsCompleted);
        }
    }

    /// <summary>What <see cref="Now"/> saw: the run, its up signal, and whether it was up.</summary>
    public sealed record Moment(int Run, Task Up, bool WasUp);

    /// <summary>Starts a run and returns once it serves its discovery document; throws with the server's output if it exits or never answers.</summary>
    public async Task StartAsync()
    {
        Process started;
        lock (state)
        {
            if (process is not null)
            {
                throw new InvalidOperationException("The server is already running.");
            }

            Run++;
            started = Process.Start(StartInfo("--urls", BaseAddress.ToString().TrimEnd('/'))) ?? throw new InvalidOperationException("dotnet did not start");
            process = started;
        }

        var run = Run;
        started.OutputDataReceived += (_, e) => Keep(run, e.Data);
        started.ErrorDataReceived += (_, e) => Keep(run, e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (started.HasExited)
            {
                throw new InvalidOperationException($"The server (run {run}) exited with code {started.ExitCode} before it answered:{Environment.NewLine}{OutputTail()}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The server (run {run}) did not answer within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{OutputTail()}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(BaseAddress, ".well-known/openid-configuration"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        lock (state)
        {
            up.TrySetResult();
        }
    }

    /// <summary>
    /// SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): the process ends at once, without
    /// its shutdown, and whatever it had not handed to the operating system or the database server is gone.
    /// </summary>
    public void Kill()
    {
        Process? killed;
        lock (state)
        {
            killed = process;
            process = null;
            if (up.Task.IsCompleted)
            {
                up = NewSignal();
            }
        }

        if (killed is null)
        {
            return;
        }

        using (killed)
        {
            try
            {
                killed.Kill();
            }
            catch (InvalidOperationException)
            {
                // It had exited already; the next start reports why.
            }

            killed.WaitForExit();
        }
    }

    /// <summary>Runs an operator command (the same executable and configuration) and returns what it did.</summary>
    public Task<CommandResult> RunCommandAsync(params string[] args) =>
        ServerExecutable.RunToEndAsync(StartInfo(args), CommandTimeout);

    /// <summary>The server's last lines of output, each marked with its run.</summary>
    public string OutputTail()
    {
        lock (output)
        {
            return string.Join(Environment.NewLine, output);
        }
    }

    public void Dispose()
    {
        Kill();
        probe.Dispose();
    }

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var start = ServerExecutable.StartInfo(args);

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private void Keep(int run, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue($"[run {run}] {line}");
            while (output.Count > KeptOutputLines)
            {
                output.Dequeue();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A free port below Linux's ephemeral range (32768 and up), where the operating system does not
    /// hand ports out to other programs' outgoing connections, so that it stays free between runs.
    /// </summary>
    private static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }

        throw new InvalidOperationException("No free port between 20000 and 32000 on 127.0.0.1.");
    }
}
