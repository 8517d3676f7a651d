namespace IdentityProvider.Audit;

/// <summary>
/// Who is acting when an operator surface calls a service: the services record it in the audit
/// log (SPEC §11) without knowing whether the call came over HTTP or from the command line.
/// </summary>
public interface IOperatorContext
{
    /// <summary>
    /// <c>client:&lt;client_id&gt;</c> for the admin API, <c>cli:&lt;OS user&gt;</c> for the command line,
    /// <c>system:&lt;what&gt;</c> for the server's own start-up steps; <see cref="OperatorContext.Unknown"/>
    /// when no surface said who acts (a path that forgot to set it shows up in the log rather than passing as someone).
    /// </summary>
    string Operator { get; }
}
