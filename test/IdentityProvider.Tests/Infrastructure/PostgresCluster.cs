using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for tests: a fresh cluster in its own temporary folder, listening on
/// a free port on 127.0.0.1, with durability switched off, stopped and deleted again on dispose.
/// </summary>
/// <remarks>
/// <para>
/// Why not Testcontainers: the build machines have no Docker engine. The Debian <c>postgresql</c>
/// binaries (installed by <c>build/test.sh</c>) start a cluster in about a second instead.
/// </para>
/// <para>
/// Why the <c>postgres</c> OS user: CI runs the tests as root, and initdb/postgres refuse to run as
/// root. As root, every PostgreSQL program runs through <c>runuser -u postgres</c> and the folder is
/// created by that user (mode 0700, in a world-writable parent it can traverse); otherwise they run directly.
/// </para>
/// <para>
/// Why /dev/shm when it is large: initdb and CREATE DATABASE wait on fsyncs, which tmpfs answers at
/// once. Each database takes a few MB of RAM there, so a small /dev/shm (Docker's default is 64 MB)
/// means /tmp instead.
/// </para>
/// <para>
/// The binaries come from <c>IDP_TEST_PG_BIN</c> if set, else the newest <c>/usr/lib/postgresql/*/bin</c>.
/// Settings go into postgresql.conf rather than <c>pg_ctl -o</c>, because pg_ctl passes <c>-o</c>
/// through a shell; only the (numeric) port goes through <c>-o</c>.
/// </para>
/// <para>
/// Why a watchdog process: VSTest kills the test host about 100 ms after the last test, too soon for
/// an <c>AppDomain.ProcessExit</c> handler to stop a server and delete its folder. A small <c>sh</c>
/// child waits for end-of-file on its stdin, which comes when <see cref="DisposeAsync"/> closes it or
/// when this process dies however it dies, and then stops the server and deletes the folder.
/// Clusters left behind anyway (the watchdog killed too) are removed by the next <see cref="StartAsync"/>.
/// </para>
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    /// <summary>The superuser created by initdb; authentication is <c>trust</c>, so no password.</summary>
    public const string SuperUser = "postgres";

    private const string FolderPrefix = "idp-pg-";
    private const string OwnerFileName = "owner.pid";
    private const long MinimumFreeSharedMemory = 4L << 30;
    private static readonly string[] ParentDirectories = ["/dev/shm", "/tmp"];
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    // Written after initdb; "last setting wins" in postgresql.conf. Durability is pointless for a
    // server that is deleted after the run, and fsync is the slowest part of creating databases.
    private static readonly string[] Settings =
    [
        "listen_addresses = '127.0.0.1'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 200",
    ];

    // $1 = pg_ctl, $2 = the cluster folder. Arguments, not text pasted into the script, so any path is safe.
    // SIGPIPE is ignored because nobody reads the output once the test process is gone.
    private const string WatchdogScript = """
        trap '' HUP INT PIPE
        while read -r _; do :; done
        if [ -f "$2/data/postmaster.pid" ]; then
          "$1" -D "$2/data" -m immediate -w -t 30 stop || kill -KILL "$(head -n 1 "$2/data/postmaster.pid")"
        fi
        rm -rf -- "$2"
        """;

    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;
    private readonly List<string> _connectionStrings = [];
    private readonly StringBuilder _watchdogOutput = new();
    private Process? _watchdog;
    private int _disposed;

    private PostgresCluster(string binDirectory, string rootDirectory, bool asPostgresUser)
    {
        _binDirectory = binDirectory;
        RootDirectory = rootDirectory;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The folder holding the cluster (data directory, log and unix socket); deleted on dispose.</summary>
    public string RootDirectory { get; }

    /// <summary>The TCP port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    private string LogFile => Path.Combine(RootDirectory, "postgres.log");

    /// <summary>Creates, configures and starts a new cluster; throws with the tools' output if that fails.</summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = FindBinDirectory();
        var asPostgresUser = Environment.IsPrivilegedProcess;

        await RemoveOrphansAsync(binDirectory, asPostgresUser).ConfigureAwait(false);

        // mktemp creates the folder with mode 0700, and as the user who will own the cluster.
        var mktemp = await RunAsync(
            asPostgresUser, "mktemp", ["-d", Path.Combine(ParentDirectory(), FolderPrefix + "XXXXXXXXXX")], cancellationToken)
            .ConfigureAwait(false);
        var cluster = new PostgresCluster(binDirectory, mktemp.Trim(), asPostgresUser);
        try
        {
            await File.WriteAllTextAsync(
                Path.Combine(cluster.RootDirectory, OwnerFileName),
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                cancellationToken).ConfigureAwait(false);
            cluster.StartWatchdog();
            await cluster.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> on this server, as the superuser.</summary>
    public string ConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = SuperUser,
            Database = database,
            Pooling = true,
        }.ConnectionString;
    }

    /// <summary>
    /// Creates an empty database (a random name unless <paramref name="name"/> is given) and returns
    /// its connection string.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        name ??= "test_" + Guid.NewGuid().ToString("N");
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a plain database name (letters, digits, underscores; at most 63).", nameof(name));
        }

        var admin = ConnectionString("postgres");
        var connectionString = ConnectionString(name);
        lock (_connectionStrings)
        {
            _connectionStrings.Add(admin);
            _connectionStrings.Add(connectionString);
        }

        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return connectionString;
    }

    /// <summary>Stops the server (immediate shutdown: nothing needs to survive) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Pooled connections would point at a dead server (or, later, at another one on the same port).
        string[] connectionStrings;
        lock (_connectionStrings)
        {
            connectionStrings = [.. _connectionStrings.Distinct()];
        }

        foreach (var connectionString in connectionStrings)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        if (_watchdog is { } watchdog)
        {
            using (watchdog)
            {
                watchdog.StandardInput.Close();
                using var timeout = new CancellationTokenSource(CommandTimeout);
                try
                {
                    await watchdog.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                    if (watchdog.ExitCode != 0)
                    {
                        Trace.TraceWarning($"PostgreSQL watchdog for {RootDirectory} exited with code {watchdog.ExitCode}: {Text(_watchdogOutput)}");
                    }
                }
                catch (OperationCanceledException)
                {
                    watchdog.Kill(entireProcessTree: true);
                }
            }
        }

        // Normally the watchdog has done it all; this covers a watchdog that failed or never started.
        if (Directory.Exists(RootDirectory))
        {
            await StopAndDeleteAsync(_binDirectory, RootDirectory, _asPostgresUser).ConfigureAwait(false);
        }
    }

    private void StartWatchdog()
    {
        var startInfo = CreateStartInfo(
            _asPostgresUser,
            "/bin/sh",
            ["-c", WatchdogScript, "idp-pg-watchdog", Path.Combine(_binDirectory, "pg_ctl"), RootDirectory]);
        var watchdog = new Process { StartInfo = startInfo };
        watchdog.OutputDataReceived += (_, e) => Append(_watchdogOutput, e.Data);
        watchdog.ErrorDataReceived += (_, e) => Append(_watchdogOutput, e.Data);
        watchdog.Start();
        watchdog.BeginOutputReadLine();
        watchdog.BeginErrorReadLine();
        _watchdog = watchdog;
    }

    private static string ParentDirectory()
    {
        try
        {
            if (Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace >= MinimumFreeSharedMemory)
            {
                return "/dev/shm";
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Fall back to /tmp.
        }

        return "/tmp";
    }

    private static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("IDP_TEST_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"IDP_TEST_PG_BIN={configured} does not contain initdb.");
        }

        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(version => (Version: int.TryParse(Path.GetFileName(version), out var v) ? v : -1,
                    Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries found (no /usr/lib/postgresql/*/bin/initdb and IDP_TEST_PG_BIN unset). " +
            "Run build/test.sh, which installs the Debian package 'postgresql', or set IDP_TEST_PG_BIN.");
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await RunAsync(
            _asPostgresUser,
            Path.Combine(_binDirectory, "initdb"),
            ["-D", DataDirectory, "-A", "trust", "-U", SuperUser, "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
            cancellationToken).ConfigureAwait(false);

        var settings = new StringBuilder().AppendLine().AppendLine("# Added by PostgresCluster (tests).");
        foreach (var setting in Settings)
        {
            settings.AppendLine(setting);
        }

        // The socket goes into the cluster's own folder, so servers never collide in /var/run/postgresql.
        settings.AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{RootDirectory.Replace("'", "''", StringComparison.Ordinal)}'");
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings.ToString(), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // The free port found here can be taken by someone else before postgres binds it: retry then.
        for (var attempt = 1; ; attempt++)
        {
            Port = FindFreePort();
            try
            {
                await RunAsync(
                    _asPostgresUser,
                    Path.Combine(_binDirectory, "pg_ctl"),
                    ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60",
                        "-o", "-p " + Port.ToString(CultureInfo.InvariantCulture), "start"],
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException exception)
            {
                var log = ReadLog();
                if (attempt < 5 && log.Contains("Address already in use", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new InvalidOperationException($"{exception.Message}{Environment.NewLine}--- {LogFile} ---{Environment.NewLine}{log}", exception);
            }
        }
    }

    private string ReadLog()
    {
        try
        {
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";
            return log.Length > 8000 ? log[^8000..] : log;
        }
        catch (IOException exception)
        {
            return $"(cannot read log: {exception.Message})";
        }
    }

    private static int FindFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task StopAndDeleteAsync(string binDirectory, string rootDirectory, bool asPostgresUser)
    {
        var dataDirectory = Path.Combine(rootDirectory, "data");
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(pidFile))
        {
            try
            {
                await RunAsync(
                    asPostgresUser,
                    Path.Combine(binDirectory, "pg_ctl"),
                    ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"],
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                KillPostmaster(pidFile);
            }
        }

        try
        {
            Directory.Delete(rootDirectory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Nothing a test can do about it; the next run's orphan sweep tries again.
        }
    }

    private static void KillPostmaster(string pidFile)
    {
        try
        {
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill();
                postmaster.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or InvalidOperationException
            or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not ours to kill.
        }
    }

    /// <summary>
    /// Stops and deletes clusters left behind by test processes that did not get to dispose them
    /// (killed by a timeout or Ctrl+C), so that they do not pile up on developer machines.
    /// </summary>
    private static async Task RemoveOrphansAsync(string binDirectory, bool asPostgresUser)
    {
        var folders = new List<string>();
        foreach (var parent in ParentDirectories)
        {
            try
            {
                folders.AddRange(Directory.EnumerateDirectories(parent, FolderPrefix + "*"));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Missing or unreadable: nothing of ours to clean there.
            }
        }

        foreach (var folder in folders)
        {
            try
            {
                // No owner file yet: a cluster being created right now by another process.
                var ownerFile = Path.Combine(folder, OwnerFileName);
                if (!File.Exists(ownerFile)
                    || !int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                    || IsRunning(owner))
                {
                    continue;
                }

                await StopAndDeleteAsync(binDirectory, folder, asPostgresUser).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Someone else's folder (another user) or being deleted concurrently: leave it.
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Runs a program (as the postgres user when we are root) and returns its output; throws if it fails.</summary>
    private static async Task<string> RunAsync(
        bool asPostgresUser, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = CreateStartInfo(asPostgresUser, program, arguments);
        var commandLine = string.Join(' ', startInfo.ArgumentList.Prepend(startInfo.FileName));
        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Cannot start '{commandLine}': {exception.Message}", exception);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"'{commandLine}' did not finish within {CommandTimeout}:{Environment.NewLine}{Text(output)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{commandLine}' exited with code {process.ExitCode}:{Environment.NewLine}{Text(output)}");
        }

        return Text(output);
    }

    private static ProcessStartInfo CreateStartInfo(bool asPostgresUser, string program, IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asPostgresUser ? RunUser() : program,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Readable by the postgres user, unlike e.g. /root; initdb fails in a folder it cannot read.
            WorkingDirectory = "/",
        };
        if (asPostgresUser)
        {
            foreach (var argument in (string[])["-u", SuperUser, "--", program])
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // PGDATA, PGPORT, PGHOST etc. from the developer's shell must not redirect the tools.
        foreach (var name in startInfo.Environment.Keys.Where(key => key.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        return startInfo;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string RunUser() => File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
