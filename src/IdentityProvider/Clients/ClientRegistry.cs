using System.Data;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using IdentityProvider.Audit;
using IdentityProvider.Authorization;
using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Clients;

/// <summary>
/// Registers, lists and removes relying parties; the CLI and the admin API both call this. Each
/// change commits together with its audit event (SPEC §11), naming the operator as the reason.
/// </summary>
public sealed partial class ClientRegistry(IOpenIddictApplicationManager applications, IdpDbContext db, AuditLog audit, IOperatorContext operatorContext)
{
    /// <summary>Scopes a client may be allowed; openid needs no permission in OpenIddict.</summary>
    public static readonly IReadOnlySet<string> KnownScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess, IdpScopes.Admin,
    };

    private static readonly string[] DefaultScopes = [Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess];

    /// <summary>Operator-chosen secrets shorter than this are refused: a client secret is a key, not a password.</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>Longer than any generated key needs; a bound on what each token request hashes.</summary>
    public const int MaximumSecretLength = 512;

    /// <summary>Of a registration's scope list, duplicates included (there are only a few known scopes).</summary>
    public const int MaxScopes = 20;

    public async Task<RegisteredClient> AddAsync(ClientRegistration registration, CancellationToken cancellationToken = default)
    {
        var descriptor = Describe(registration, out var secret);
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is not null)
        {
            throw RequestRejectedException.Conflict($"A client with client_id '{descriptor.ClientId}' already exists.");
        }

        try
        {
            // OpenIddict's store saves on its own; the transaction makes the event part of the same commit.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await applications.CreateAsync(descriptor, cancellationToken);
            audit.Add(AuditKind.ClientRegistered, success: true, reason: operatorContext.Operator, subject: descriptor.ClientId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Checked above; only a concurrent registration of the same client_id gets here.
            db.ChangeTracker.Clear();
            throw RequestRejectedException.Conflict($"A client with client_id '{descriptor.ClientId}' was just registered by another request.");
        }

        return new RegisteredClient(Summarize(descriptor), secret);
    }

    public async Task<IReadOnlyList<ClientSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ClientSummary>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var descriptor = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, application, cancellationToken);
            result.Add(Summarize(descriptor));
        }

        return result.OrderBy(c => c.ClientId, StringComparer.Ordinal).ToList();
    }

    public async Task<ClientSummary> GetAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await FindAsync(clientId, cancellationToken);
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        return Summarize(descriptor);
    }

    /// <summary>Removes the client; OpenIddict's store removes its authorizations and tokens with it.</summary>
    public async Task RemoveAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await FindAsync(clientId, cancellationToken);

        // Serializable, as OpenIddict's store would open itself (it joins an existing transaction
        // instead): no token of the client can be added between listing and deleting them.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        await applications.DeleteAsync(application, cancellationToken);
        audit.Add(AuditKind.ClientRemoved, success: true, reason: operatorContext.Operator, subject: clientId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static OpenIddictApplicationDescriptor Describe(ClientRegistration registration, out string? secret)
    {
        var clientId = registration.ClientId?.Trim() ?? string.Empty;
        if (!ClientIdPattern().IsMatch(clientId))
        {
            throw RequestRejectedException.Invalid("clientId", $"must be 1-100 characters of letters, digits, '.', '_', '-' or '~', not {OperatorInput.Quote(registration.ClientId)}.");
        }

        if (registration.Public && registration.Secret is not null)
        {
            throw RequestRejectedException.Invalid("secret", "a public client has no secret.");
        }

        if (registration.Secret is { } given && (given.Length is < MinimumSecretLength or > MaximumSecretLength || string.IsNullOrWhiteSpace(given)))
        {
            throw RequestRejectedException.Invalid("secret",
                $"the client secret must have at least {MinimumSecretLength} characters (and at most {MaximumSecretLength}); omit it to have one generated.");
        }

        var displayName = OperatorInput.DisplayName(registration.DisplayName, "displayName");
        var scopes = CheckScopes(registration);
        var redirectUris = ClientInput.RedirectUris(registration.RedirectUris, "redirectUris", "redirect URI");
        var postLogoutRedirectUris = ClientInput.RedirectUris(registration.PostLogoutRedirectUris, "postLogoutRedirectUris", "post-logout redirect URI");
        var allowedOrigins = ClientInput.Origins(registration.AllowedOrigins, "allowedOrigins");

        var interactive = redirectUris.Count > 0;
        if (registration.Public && !interactive)
        {
            throw RequestRejectedException.Invalid("redirectUris", "a public client needs at least one redirect URI.");
        }

        var idTokenAlgorithm = registration.IdTokenSignedResponseAlg?.Trim() is { Length: > 0 } alg ? alg : ClientSettings.Rs256;
        if (!ClientSettings.IdTokenAlgorithms.Contains(idTokenAlgorithm, StringComparer.Ordinal))
        {
            throw RequestRejectedException.Invalid("idTokenSignedResponseAlg",
                $"must be one of {string.Join(", ", ClientSettings.IdTokenAlgorithms)}, not {OperatorInput.Quote(idTokenAlgorithm)}.");
        }

        var consent = registration.Consent?.Trim() is { Length: > 0 } chosen ? chosen : ConsentTypes.Implicit;
        if (consent is not (ConsentTypes.Implicit or ConsentTypes.Explicit))
        {
            throw RequestRejectedException.Invalid("consent", $"must be '{ConsentTypes.Implicit}' or '{ConsentTypes.Explicit}', not {OperatorInput.Quote(consent)}.");
        }

        secret = registration.Public ? null : registration.Secret ?? GenerateSecret();
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            DisplayName = displayName ?? clientId,
            ClientType = registration.Public ? ClientTypes.Public : ClientTypes.Confidential,
            // First-party relying parties of this service: no consent screen (SPEC §1); third parties
            // get one (ConsentFlow).
            ConsentType = consent,
        };
        if (idTokenAlgorithm != ClientSettings.Rs256)
        {
            descriptor.Settings[ClientSettings.IdTokenSignedResponseAlg] = idTokenAlgorithm;
        }

        if (allowedOrigins.Count > 0)
        {
            descriptor.Settings[ClientSettings.AllowedOrigins] = string.Join(' ', allowedOrigins);
        }

        descriptor.RedirectUris.UnionWith(redirectUris);
        descriptor.PostLogoutRedirectUris.UnionWith(postLogoutRedirectUris);

        if (interactive)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.Authorization, Permissions.Endpoints.PushedAuthorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code]);
            if (scopes.Contains(Scopes.OfflineAccess))
            {
                descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
            }
        }

        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (!registration.Public)
        {
            // A confidential client may introspect and revoke its own tokens without extra set-up.
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Introspection, Permissions.GrantTypes.ClientCredentials]);
        }
        else
        {
            // PKCE is required of public clients (RFC 9700 §2.1.1).
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        descriptor.Permissions.UnionWith(scopes.Where(s => s != Scopes.OpenId).Select(s => Permissions.Prefixes.Scope + s));
        return descriptor;
    }

    private async Task<object> FindAsync(string? clientId, CancellationToken cancellationToken) =>
        (string.IsNullOrEmpty(clientId) ? null : await applications.FindByClientIdAsync(clientId, cancellationToken))
        ?? throw RequestRejectedException.NotFound($"No client with client_id {OperatorInput.Quote(clientId)}.");

    /// <summary>The allowed scopes (the defaults when none are given); every one must be known.</summary>
    private static string[] CheckScopes(ClientRegistration registration)
    {
        // JSON may say null where C# says "never null": the admin API binds without nullability checks.
        var requested = registration.Scopes ?? [];
        if (requested.Count > MaxScopes)
        {
            throw RequestRejectedException.Invalid("scopes", $"at most {MaxScopes} scopes, not {requested.Count}.");
        }

        var scopes = requested.Count == 0 ? DefaultScopes : requested.Select(s => s?.Trim() ?? string.Empty).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var scope in scopes.Where(s => !KnownScopes.Contains(s)))
        {
            throw RequestRejectedException.Invalid("scopes", $"unknown scope {OperatorInput.Quote(scope)}. Known scopes: {string.Join(", ", KnownScopes.Order(StringComparer.Ordinal))}.");
        }

        if (registration.Public && scopes.Contains(IdpScopes.Admin))
        {
            throw RequestRejectedException.Invalid("scopes", $"the {IdpScopes.Admin} scope is for confidential clients only.");
        }

        return scopes;
    }

    private static ClientSummary Summarize(OpenIddictApplicationDescriptor descriptor) => new(
        descriptor.ClientId!,
        descriptor.DisplayName,
        descriptor.ClientType ?? ClientTypes.Confidential,
        descriptor.RedirectUris.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList(),
        descriptor.PostLogoutRedirectUris.Select(u => u.OriginalString).Order(StringComparer.Ordinal).ToList(),
        ClientSettings.Origins(descriptor.Settings),
        [Scopes.OpenId, .. descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(p => p[Permissions.Prefixes.Scope.Length..]).Order(StringComparer.Ordinal)],
        ClientSettings.IdTokenAlgorithm(descriptor.Settings),
        descriptor.ConsentType ?? ConsentTypes.Implicit);

    private static string GenerateSecret() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._~-]{1,100}$")]
    private static partial Regex ClientIdPattern();
}
