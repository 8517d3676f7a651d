using System.Data.Common;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Tests.Durability;

/// <summary>
/// The crash test's look at the database once the server is dead: plain SQL on the tables, no
/// server code, so it judges what is stored rather than what the server believes it stored.
/// Each check adds what it finds wrong to the list it is given and returns how much it checked.
/// </summary>
public sealed class StoredRows(DatabaseKind kind, string connectionString)
{
    /// <summary>How the server stores a DateTimeOffset on SQLite (a sortable integer); the other databases have a native type.</summary>
    private static readonly DateTimeOffsetToBinaryConverter SqliteDates = new();

    /// <summary>
    /// Nothing half-written in OpenIddictTokens. A token request redeems its code or refresh token
    /// and creates the successor in the same authorization (one per code flow here), in one
    /// transaction: so in every authorization the refresh tokens form one line, in which every
    /// token but the newest is redeemed. A redemption stored without its successor shows as all of
    /// them redeemed; a successor stored without its predecessor's redemption as two unredeemed (the
    /// old one would redeem a second time). Likewise a redeemed code has refresh tokens after it, and
    /// refresh tokens have a redeemed code before them. (A replay revokes the whole line; the
    /// redemption dates stay.) Returns the authorizations and refresh tokens checked.
    /// </summary>
    public async Task<(int Authorizations, int RefreshTokens)> CheckTokenLinesAsync(List<string> problems)
    {
        var rows = new List<(string Id, string Authorization, string Type, DateTime? Created, DateTime? Redeemed)>();
        await using (var connection = await OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT "Id", "AuthorizationId", "Type", "CreationDate", "RedemptionDate" FROM "OpenIddictTokens"
                WHERE "Type" = @refresh OR "Type" = @code
                """;
            Parameter(command, "@refresh", TokenTypeIdentifiers.RefreshToken);
            Parameter(command, "@code", TokenTypeIdentifiers.Private.AuthorizationCode);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? "(none)" : reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetDateTime(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4)));
            }
        }

        var authorizations = 0;
        foreach (var line in rows.GroupBy(r => r.Authorization))
        {
            authorizations++;
            var codes = line.Where(r => r.Type == TokenTypeIdentifiers.Private.AuthorizationCode).ToList();
            var refresh = line.Where(r => r.Type == TokenTypeIdentifiers.RefreshToken).ToList();
            var redeemedCode = codes.Any(c => c.Redeemed is not null);
            if (refresh.Count == 0)
            {
                if (redeemedCode)
                {
                    problems.Add($"authorization {line.Key}: its code is redeemed but no refresh token was stored with the redemption");
                }

                continue;
            }

            if (!redeemedCode)
            {
                problems.Add($"authorization {line.Key}: {refresh.Count} refresh tokens, but its code is not marked redeemed");
            }

            var unredeemed = refresh.Where(r => r.Redeemed is null).ToList();
            if (unredeemed.Count == 0)
            {
                var last = refresh.MaxBy(r => r.Redeemed)!;
                problems.Add($"authorization {line.Key}: all {refresh.Count} refresh tokens are redeemed; the last redemption ({last.Id} at {last.Redeemed:O}) has no successor");
            }
            else if (unredeemed.Count > 1)
            {
                problems.Add($"authorization {line.Key}: {unredeemed.Count} of {refresh.Count} refresh tokens are unredeemed ({string.Join(", ", unredeemed.Select(r => r.Id))}): a successor was stored without its predecessor's redemption");
            }
            else if (Seconds(unredeemed[0].Created) < refresh.Max(r => Seconds(r.Created)))
            {
                // Creation dates are kept to the second (OpenIddict's principal carries them so).
                problems.Add($"authorization {line.Key}: the unredeemed refresh token {unredeemed[0].Id} (created {unredeemed[0].Created:O}) is not the newest");
            }
        }

        return (authorizations, rows.Count(r => r.Type == TokenTypeIdentifiers.RefreshToken));
    }

    /// <summary>
    /// Every completed sign-in and forgot-password post has its audit event, found by the request's
    /// own User-Agent. Returns the events checked.
    /// </summary>
    public async Task<int> CheckAuditEventsAsync(CrashLedger ledger, List<string> problems)
    {
        var stored = new HashSet<(string UserAgent, string Kind, string Outcome)>();
        await using (var connection = await OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "UserAgent", "Kind", "Outcome" FROM "AuditEvents" WHERE "UserAgent" LIKE @prefix""";
            Parameter(command, "@prefix", LoadClient.UserAgentPrefix + "%");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var expected = ledger.SignIns.Select(s => (s.UserAgent, Kind: "SignIn", s.Run, What: "sign-in"))
            .Concat(ledger.MailRequests.Select(m => (m.UserAgent, Kind: "PasswordResetRequested", m.Run, What: "forgot-password post")))
            .ToList();
        foreach (var (userAgent, auditKind, run, what) in expected.Where(e => !stored.Contains((e.UserAgent, e.Kind, "Success"))))
        {
            problems.Add($"no {auditKind} audit event for the completed {what} {userAgent} (answered by run {run})");
        }

        return expected.Count;
    }

    /// <summary>
    /// Every completed forgot-password post has its outbox mail: a PasswordReset mail to the user,
    /// created between the moment the post was sent and the moment its answer arrived (the server's
    /// clock is this machine's). Returns the mails checked.
    /// </summary>
    public async Task<int> CheckOutboxAsync(CrashLedger ledger, List<string> problems)
    {
        var mails = new List<(string Recipient, DateTimeOffset CreatedAt)>();
        await using (var connection = await OpenAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "Recipient", "CreatedAt" FROM "MailOutbox" WHERE "Template" = 'PasswordReset'""";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var createdAt = reader.GetValue(1) is long binary
                    ? (DateTimeOffset)SqliteDates.ConvertFromProvider(binary)!
                    : reader.GetFieldValue<DateTimeOffset>(1);
                mails.Add((reader.GetString(0), createdAt));
            }
        }

        // The SQLite encoding keeps a tenth of a millisecond; a millisecond either side is plenty.
        var slack = TimeSpan.FromMilliseconds(1);
        foreach (var request in ledger.MailRequests)
        {
            if (!mails.Any(m => string.Equals(m.Recipient, request.Email, StringComparison.OrdinalIgnoreCase)
                && m.CreatedAt >= request.SentAt - slack && m.CreatedAt <= request.AnsweredAt + slack))
            {
                problems.Add($"no outbox mail to {request.Email} for the completed forgot-password post {request.UserAgent} "
                    + $"(sent {request.SentAt:O}, answered {request.AnsweredAt:O} by run {request.Run})");
            }
        }

        return ledger.MailRequests.Count;
    }

    /// <summary>SQLite only: <c>PRAGMA integrity_check</c>'s answer, and the rows <c>PRAGMA foreign_key_check</c> reports.</summary>
    public async Task<(string Integrity, int ForeignKeyViolations)> SqliteIntegrityAsync()
    {
        await using var connection = await OpenAsync();
        await using var integrity = connection.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        var lines = new List<string>();
        await using (var reader = await integrity.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        await using var foreignKeys = connection.CreateCommand();
        foreignKeys.CommandText = "PRAGMA foreign_key_check";
        var violations = 0;
        await using (var reader = await foreignKeys.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                violations++;
            }
        }

        return (string.Join("; ", lines), violations);
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = kind switch
        {
            // Not pooled: nothing of the test keeps the file open once the check is done.
            DatabaseKind.Sqlite => new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString),
            DatabaseKind.PostgreSql => new NpgsqlConnection(connectionString),
            DatabaseKind.SqlServer => new Microsoft.Data.SqlClient.SqlConnection(connectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await connection.OpenAsync();
        return connection;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static long Seconds(DateTime? value) => value is { } v ? v.Ticks / TimeSpan.TicksPerSecond : long.MinValue;
}
