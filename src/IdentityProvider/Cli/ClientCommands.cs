using System.CommandLine;
using IdentityProvider.Clients;

namespace IdentityProvider.Cli;

/// <summary><c>clients add|list|remove</c>.</summary>
public static class ClientCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var clientId = new Option<string>("--client-id") { Description = "The client_id", Required = true };
        var redirectUris = new Option<string[]>("--redirect-uri") { Description = "A redirect URI (repeatable)" };
        var postLogout = new Option<string[]>("--post-logout-redirect-uri") { Description = "A post-logout redirect URI (repeatable)" };
        var secret = new Option<string?>("--secret") { Description = "Client secret (32+ characters); generated when omitted" };
        var isPublic = new Option<bool>("--public") { Description = "A public client: no secret, PKCE required" };
        var scopes = new Option<string[]>("--scope") { Description = "A scope the client may request (repeatable)", AllowMultipleArgumentsPerToken = true };
        var displayName = new Option<string?>("--display-name") { Description = "Name shown to operators" };
        var idTokenAlg = new Option<string?>("--id-token-signed-response-alg")
        {
            Description = "Signature algorithm of the client's ID tokens: RS256 (default) or ES256",
        };
        var allowedOrigins = new Option<string[]>("--allowed-origin")
        {
            Description = "A browser origin (https://spa.example) that may call the token, revocation and userinfo endpoints (repeatable)",
        };

        var consent = new Option<string?>("--consent")
        {
            Description = "implicit (default: a first-party client, no consent screen) or explicit (a third party: users allow its scopes on a consent screen)",
        };

        var add = new Command("add", "Register a client") { clientId, redirectUris, postLogout, secret, isPublic, scopes, displayName, idTokenAlg, allowedOrigins, consent };
        add.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var registered = await FlagNames.RunAsync(
                () => scope.GetRequiredService<ClientRegistry>().AddAsync(new ClientRegistration
                {
                    ClientId = parsed.GetValue(clientId)!,
                    DisplayName = parsed.GetValue(displayName),
                    Secret = parsed.GetValue(secret),
                    Public = parsed.GetValue(isPublic),
                    RedirectUris = parsed.GetValue(redirectUris) ?? [],
                    PostLogoutRedirectUris = parsed.GetValue(postLogout) ?? [],
                    AllowedOrigins = parsed.GetValue(allowedOrigins) ?? [],
                    Scopes = parsed.GetValue(scopes) ?? [],
                    IdTokenSignedResponseAlg = parsed.GetValue(idTokenAlg),
                    Consent = parsed.GetValue(consent),
                }, token),
                ("clientId", clientId), ("displayName", displayName), ("secret", secret), ("public", isPublic), ("redirectUris", redirectUris),
                ("postLogoutRedirectUris", postLogout), ("allowedOrigins", allowedOrigins), ("scopes", scopes), ("idTokenSignedResponseAlg", idTokenAlg),
                ("consent", consent));
            var origins = registered.Client.AllowedOrigins.Count == 0 ? "" : $"; allowed origins: {string.Join(' ', registered.Client.AllowedOrigins)}";
            var consentScreen = registered.Client.Consent == "explicit" ? "; consent screen" : string.Empty;
            await output.WriteLineAsync(
                $"client '{registered.Client.ClientId}' registered ({registered.Client.ClientType}; scopes: {string.Join(' ', registered.Client.Scopes)}; ID tokens: {registered.Client.IdTokenSignedResponseAlg}{origins}{consentScreen})");
            if (registered.Secret is not null && parsed.GetValue(secret) is null)
            {
                await output.WriteLineAsync($"client_secret: {registered.Secret}");
                await output.WriteLineAsync("The secret is stored hashed and will not be shown again.");
            }
        }, ct));

        var list = new Command("list", "List registered clients");
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            foreach (var client in await scope.GetRequiredService<ClientRegistry>().ListAsync(token))
            {
                await output.WriteLineAsync(
                    $"{client.ClientId}\t{client.ClientType}\tredirect_uris={string.Join(',', client.RedirectUris)}\tscopes={string.Join(' ', client.Scopes)}\tid_token_signed_response_alg={client.IdTokenSignedResponseAlg}\tallowed_origins={string.Join(',', client.AllowedOrigins)}");
            }
        }, ct));

        var removeId = new Option<string>("--client-id") { Description = "The client_id", Required = true };
        var remove = new Command("remove", "Remove a client with its authorizations and tokens") { removeId };
        remove.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var id = parsed.GetValue(removeId)!;
            await scope.GetRequiredService<ClientRegistry>().RemoveAsync(id, token);
            await output.WriteLineAsync($"client '{id}' removed");
        }, ct));

        return new Command("clients", "Manage relying-party clients") { add, list, remove };
    }
}
