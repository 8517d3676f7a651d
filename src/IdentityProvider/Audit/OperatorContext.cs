namespace IdentityProvider.Audit;

/// <summary>
/// The scoped <see cref="IOperatorContext"/>: each operator surface says who acts once per scope
/// (the admin API per request, the CLI per command); services only read it.
/// </summary>
public sealed class OperatorContext : IOperatorContext
{
    public const string Unknown = "unknown";

    public string Operator { get; private set; } = Unknown;

    /// <summary>The admin API: the client_id of the access token's client.</summary>
    public static string ForClient(string clientId) => $"client:{clientId}";

    /// <summary>The command line: the OS account that ran the command.</summary>
    public static string ForCommandLine() => $"cli:{Environment.UserName}";

    /// <summary>The server itself, e.g. the Development seed.</summary>
    public static string ForSystem(string what) => $"system:{what}";

    public void Set(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Operator = name;
    }
}
