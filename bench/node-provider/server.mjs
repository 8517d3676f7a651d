// node-oidc-provider configured like our server for the benchmark (issue #3).
//
//   node node-provider/server.mjs --port 7100 --alg RS256|ES256 [--id-token-alg RS256|ES256]
//                                 [--refresh-tokens N --refresh-out file]
//
// - In-memory adapter (the library's default): the most favourable storage it can have.
// - Client credentials: confidential client `bench-cc` (client_secret_post), scope idp.admin;
//   access tokens are signed JWTs through the resourceIndicators feature (defaultResource +
//   getResourceServerInfo with accessTokenFormat 'jwt'), signed with --alg (run.sh passes the
//   algorithm of the access tokens our server issues, so both sign them the same way). Lifetime 1 h
//   like ours. ID tokens are signed with --id-token-alg (the relying party's
//   id_token_signed_response_alg; run.sh registers ours with the same): the provider holds an RSA
//   key, plus a P-256 key when either algorithm is ES256.
// - Refresh tokens: public client `bench-rp` (PKCE, no secret) with rotateRefreshToken: true, so
//   each refresh returns a new refresh token and consumes the old one, as ours does. Logging in
//   through node-oidc-provider's dev interactions checks no password, so instead of a login flow
//   this process mints N starting refresh tokens (one per load connection) for an account and
//   writes them to --refresh-out; the load then chains them exactly as it does against our server.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '7100' },
    alg: { type: 'string', default: 'RS256' },
    'id-token-alg': { type: 'string', default: 'RS256' },
    secret: { type: 'string', default: 'bench-cc-secret-0123456789abcdefghijklmnop' },
    'refresh-tokens': { type: 'string', default: '0' },
    'refresh-out': { type: 'string' },
  },
});

const port = Number(opts.port);
const issuer = `http://127.0.0.1:${port}`;
const resource = 'urn:bench:api';
const alg = opts.alg;
const idTokenAlg = opts['id-token-alg'];

if (!['RS256', 'ES256'].includes(alg)) throw new Error(`--alg must be RS256 or ES256, not ${alg}`);
if (!['RS256', 'ES256'].includes(idTokenAlg)) throw new Error(`--id-token-alg must be RS256 or ES256, not ${idTokenAlg}`);

function signingKey(keyAlg) {
  const pair = keyAlg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair.privateKey.export({ format: 'jwk' }), use: 'sig', alg: keyAlg, kid: randomUUID() };
}

const provider = new Provider(issuer, {
  jwks: { keys: [alg, idTokenAlg].includes('ES256') ? [signingKey('RS256'), signingKey('ES256')] : [signingKey('RS256')] },
  clients: [
    {
      client_id: 'bench-cc',
      client_secret: opts.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'idp.admin',
    },
    {
      client_id: 'bench-rp',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:7999/cb'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: idTokenAlg,
    },
  ],
  scopes: ['openid', 'offline_access', 'idp.admin'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    IdToken: 1200,
    RefreshToken: 14 * 24 * 3600,
    AuthorizationCode: 300,
    Grant: 14 * 24 * 3600,
    Session: 8 * 3600,
    Interaction: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'idp.admin openid',
        audience: resource,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg } },
      }),
    },
  },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, email: `${id}@bench.example`, email_verified: false }; } };
  },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));

async function mintRefreshTokens(count) {
  const client = await provider.Client.find('bench-rp');
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const accountId = `u${i + 1}`;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(resource, 'idp.admin');
    const grantId = await grant.save();
    const now = Math.floor(Date.now() / 1000);
    const refreshToken = new provider.RefreshToken({
      accountId,
      client,
      grantId,
      gty: 'authorization_code',
      scope: 'openid offline_access',
      resource,
      authTime: now,
      amr: ['pwd'],
      iiat: now,
      rotations: 0,
    });
    tokens.push(await refreshToken.save());
  }
  return tokens;
}

const server = provider.listen(port, '127.0.0.1', async () => {
  const count = Number(opts['refresh-tokens']);
  if (count > 0 && opts['refresh-out']) {
    writeFileSync(opts['refresh-out'], JSON.stringify(await mintRefreshTokens(count)));
  }
  console.log(`node-oidc-provider listening on ${issuer} (alg ${alg}, pid ${process.pid})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
