using System.CommandLine;

namespace IdentityProvider.Cli;

/// <summary>The executable's usage, and the closest command to a mistyped one.</summary>
public static partial class OperatorCommands
{
    private static readonly HashSet<string> HelpWords = new(["--help", "-h", "-?", "/?", "/h", "help"], StringComparer.OrdinalIgnoreCase);

    private static readonly (string Key, string Meaning)[] ServerOptions =
    [
        ("--urls http://localhost:5001", "where to listen (default http://localhost:5000); several separated by ';'"),
        ("--environment Production", "Production (default), Development (what `dotnet run` uses) or another name"),
        ("--Section:Key=value", "any configuration key; also Section__Key in the environment, or appsettings.json"),
    ];

    private static readonly (string Key, string Meaning)[] ConfigurationKeys =
    [
        ("Oidc:Issuer", "the public URL, e.g. https://login.example.jp/; required outside Development"),
        ("Oidc:RequireHttps", "refuse plain HTTP (default true; false in Development)"),
        ("ConnectionStrings:Default", "the database (default Data Source=App_Data/idp.db)"),
        ("Database:Provider", "Sqlite (default), SqlServer or PostgreSql"),
        ("Database:MigrateOnStart", "apply migrations at start (or run `migrate` once per release)"),
        ("DataProtection:Certificate", "PFX file or thumbprint that encrypts the stored Data Protection keys"),
        ("ForwardedHeaders:KnownProxies", "proxies (also KnownNetworks) whose X-Forwarded-For/-Proto are believed"),
        ("Mail:Mode", "Pickup (.eml files) or Smtp (Mail:Smtp:Host, Port, ...)"),
        ("AdminApi:OpenApi", "serve /openapi/v1.json (default: in Development only)"),
    ];

    private static void WriteUsage(TextWriter output)
    {
        output.WriteLine("Usage:");
        output.WriteLine("  IdentityProvider [server options]         run the identity provider");
        output.WriteLine("  IdentityProvider <command> [options]      run an operator command and exit");
        output.WriteLine("  IdentityProvider <command> --help         a command's options");
        var commands = Leaves(CreateRoot(services: null!, TextWriter.Null), prefix: string.Empty).ToArray();
        var width = ServerOptions.Concat(ConfigurationKeys).Concat(commands).Max(row => row.Key.Length) + 2;
        WriteTable(output, "Server options:", ServerOptions, width);
        WriteTable(output, "Main configuration keys (all of them: README.md, Configuration):", ConfigurationKeys, width);
        WriteTable(output, "Commands:", commands, width);
        output.WriteLine();
        output.WriteLine("Exit codes: 0 success, 1 bad arguments, 2 request rejected, 3 bad configuration or start-up failure.");
    }

    private static IEnumerable<(string Key, string Meaning)> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var name = prefix + sub.Name;
            if (sub.Subcommands.Count == 0)
            {
                yield return (name, sub.Description ?? string.Empty);
            }

            foreach (var leaf in Leaves(sub, name + " "))
            {
                yield return leaf;
            }
        }
    }

    private static void WriteTable(TextWriter output, string title, (string Key, string Meaning)[] rows, int width)
    {
        output.WriteLine();
        output.WriteLine(title);
        foreach (var (key, meaning) in rows)
        {
            output.WriteLine($"  {key.PadRight(width)}{meaning}");
        }
    }

    /// <summary>The command nearest to <paramref name="word"/> by edit distance (a swap of two neighbours counts one), if near enough to be a typo.</summary>
    private static string? ClosestName(string word) =>
        Names.Select(name => (Name: name, Distance: EditDistance(word.ToLowerInvariant(), name)))
            .Where(c => c.Distance <= Math.Max(2, c.Name.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
