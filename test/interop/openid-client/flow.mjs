// A relying party built on openid-client (certified, strict): discovery, code + PKCE with state,
// nonce and RFC 9207 iss checks, id_token validation, userinfo, refresh rotation, introspection,
// revocation, RP-initiated logout and client credentials. The browser part (login form) is played
// with fetch and a cookie jar. Prints one JSON object; exits non-zero on the first failure.
import * as client from 'openid-client';

const env = (name) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const issuer = new URL(env('IDP_ISSUER'));
const redirectUri = env('RP_REDIRECT_URI');
// RP_ID_TOKEN_ALG (optional): the client's registered id_token_signed_response_alg, which
// openid-client then requires of every ID token (without it, any algorithm the issuer advertises).
const idTokenAlg = process.env.RP_ID_TOKEN_ALG;
const metadata = { client_secret: env('RP_CLIENT_SECRET'), ...(idTokenAlg ? { id_token_signed_response_alg: idTokenAlg } : {}) };
const config = await client.discovery(issuer, env('RP_CLIENT_ID'), metadata, undefined, { execute: [client.allowInsecureRequests] });
const result = { issuer: config.serverMetadata().issuer };
const algOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')).alg;

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid email profile offline_access',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});

const cookies = new Map();
const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const send = async (url, init = {}) => {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: cookieHeader() } });
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return response;
};
const follow = (response) => new URL(response.headers.get('location'), issuer);

let response = await send(authorizationUrl);
const loginUrl = follow(response);
const html = await (await send(loginUrl)).text();
const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))[1].replaceAll('&amp;', '&');
response = await send(loginUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    'Input.Email': env('USER_EMAIL'),
    'Input.Password': env('USER_PASSWORD'),
    ReturnUrl: field('ReturnUrl'),
    __RequestVerificationToken: field('__RequestVerificationToken'),
  }),
});
response = await send(follow(response));
const callback = follow(response);

const tokens = await client.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
});
result.idToken = tokens.claims();
result.idTokenAlg = algOf(tokens.id_token);
result.userInfo = await client.fetchUserInfo(config, tokens.access_token, result.idToken.sub);

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
result.refreshRotated = refreshed.refresh_token !== tokens.refresh_token;
result.refreshedIdTokenAlg = refreshed.id_token ? algOf(refreshed.id_token) : null;

const introspection = await client.tokenIntrospection(config, refreshed.access_token);
result.introspection = { active: introspection.active, sub: introspection.sub, client_id: introspection.client_id };

const endSession = client.buildEndSessionUrl(config, { id_token_hint: refreshed.id_token ?? tokens.id_token, post_logout_redirect_uri: env('RP_POST_LOGOUT_URI'), state: 'bye' });
result.endSessionRedirect = (await send(endSession)).headers.get('location');

const machine = await client.clientCredentialsGrant(config, {});
result.clientCredentials = { tokenType: machine.token_type, expiresIn: machine.expires_in };

// Last, because replaying a rotated refresh token revokes everything issued from that sign-in.
try {
  await client.refreshTokenGrant(config, tokens.refresh_token);
  result.oldRefreshRejected = false;
} catch (error) {
  result.oldRefreshRejected = error.error === 'invalid_grant';
}

console.log(JSON.stringify(result));
