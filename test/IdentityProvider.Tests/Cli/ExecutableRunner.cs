using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Cli;

/// <summary>
/// Runs the real executable (<c>dotnet IdentityProvider.dll ...</c>, copied next to the tests as a
/// project reference) against its own SQLite file, configured the way an operator would: through
/// environment variables, with the content root (and so appsettings.json) found in the working directory.
/// </summary>
public sealed class ExecutableRunner : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string folder;

    public ExecutableRunner()
    {
        folder = Directory.CreateTempSubdirectory("idp-cli-").FullName;
        DatabaseFile = Path.Combine(folder, "idp.db");
    }

    /// <summary>The issuer every run is configured with: Production does not start without one.</summary>
    public const string Issuer = "https://idp.test/";

    public string DatabaseFile { get; }

    /// <summary>The folder of this runner's files (database, mail); removed on dispose.</summary>
    public string Folder => folder;

    public string ConnectionString => $"Data Source={DatabaseFile}";

    public Task<CommandResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs with <paramref name="environment"/> added to (or overriding) the operator's configuration; an empty value removes the variable.</summary>
    public async Task<CommandResult> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = ServerExecutable.StartInfo(args);

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Oidc__Issuer"] = Issuer;
        start.Environment["ConnectionStrings__Default"] = ConnectionString;
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Database__MigrateOnStart"] = "true";
        start.Environment["Mail__PickupDirectory"] = Path.Combine(folder, "mail");
        foreach (var (name, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return await ServerExecutable.RunToEndAsync(start, Timeout);
    }

    /// <summary>Row counts of what the operator commands write, to prove that a rejected command wrote nothing.</summary>
    public async Task<string> CountRowsAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var counts = new List<string>();
        foreach (var table in new[] { "Tenants", "AspNetUsers", "OpenIddictApplications", "AuditEvents", "ServerKeys", "MailOutbox" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts.Add($"{table}={await command.ExecuteScalarAsync()}");
        }

        return string.Join(' ', counts);
    }

    /// <summary>Whether a client is registered, read straight from the database (cheaper than another process).</summary>
    public async Task<bool> ClientExistsAsync(string clientId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"OpenIddictApplications\" WHERE \"ClientId\" = $id";
        command.Parameters.AddWithValue("$id", clientId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }
}
