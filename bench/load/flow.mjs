// One full browser-style login against our server, over one keep-alive connection:
// authorize -> login page -> POST credentials -> authorize again -> code -> token.
import { createHash, randomBytes } from 'node:crypto';

const b64url = (buffer) => buffer.toString('base64url');

function decodeHtml(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function hiddenInput(html, name) {
  const tag = new RegExp(`<input[^>]*name="${name.replace(/[.]/g, '\\.')}"[^>]*>`, 'i').exec(html)?.[0];
  const value = tag && /value="([^"]*)"/i.exec(tag)?.[1];
  return value === undefined || value === null ? null : decodeHtml(value);
}

class FlowError extends Error {
  constructor(step, message) {
    super(`${step}: ${message}`);
    this.step = step;
  }
}

/** A tiny cookie jar: name -> value, path and expiry ignored (one host, one flow). */
class Cookies {
  constructor() { this.map = new Map(); }
  take(headers) {
    let set = headers['set-cookie'];
    if (!set) return;
    if (!Array.isArray(set)) set = [set];
    for (const line of set) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.map.delete(pair.slice(0, eq));
      else this.map.set(pair.slice(0, eq), value);
    }
  }
  header() { return [...this.map].map(([k, v]) => `${k}=${v}`).join('; '); }
}

function pathOf(location, base) {
  const url = new URL(location, base);
  return url.pathname + url.search;
}

/**
 * Runs the whole flow with `client` (an undici Client for `base`). Returns the token response and
 * the duration of each step in milliseconds.
 */
export async function login(client, base, { clientId, redirectUri, email, password, scope = 'openid offline_access' }) {
  const steps = {};
  const cookies = new Cookies();
  let t = performance.now();
  const mark = (name) => { const now = performance.now(); steps[name] = now - t; t = now; };

  const request = async (step, options, expected) => {
    const headers = { ...options.headers };
    const jar = cookies.header();
    if (jar) headers.cookie = jar;
    const response = await client.request({ ...options, headers });
    const body = await response.body.text();
    cookies.take(response.headers);
    if (response.statusCode !== expected) {
      throw new FlowError(step, `HTTP ${response.statusCode} (expected ${expected}) ${body.slice(0, 200)}`);
    }
    return { headers: response.headers, body };
  };

  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(12));
  const query = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope,
    code_challenge: challenge, code_challenge_method: 'S256', state,
  });

  // 1. authorize: no session yet -> the login page.
  const authorize = await request('authorize', { method: 'GET', path: `/connect/authorize?${query}` }, 302);
  const loginPath = pathOf(authorize.headers.location, base);
  if (!loginPath.startsWith('/Account/Login')) throw new FlowError('authorize', `redirected to ${loginPath}`);
  mark('authorize');

  // 2. the login page: antiforgery cookie + hidden token and ReturnUrl.
  const page = await request('login-page', { method: 'GET', path: loginPath }, 200);
  const token = hiddenInput(page.body, '__RequestVerificationToken');
  const returnUrl = hiddenInput(page.body, 'ReturnUrl') ?? new URL(loginPath, base).searchParams.get('ReturnUrl');
  if (!token || !returnUrl) throw new FlowError('login-page', 'no antiforgery token or ReturnUrl in the form');
  mark('loginPage');

  // 3. post the credentials: the password hash is checked here.
  const form = new URLSearchParams({
    'Input.Email': email, 'Input.Password': password, ReturnUrl: returnUrl, __RequestVerificationToken: token,
  });
  const posted = await request('login-post', {
    method: 'POST', path: loginPath,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  }, 302);
  mark('loginPost');

  // 4. back to authorize with the session cookie -> the redirect URI with a code.
  const again = await request('authorize-2', { method: 'GET', path: pathOf(posted.headers.location, base) }, 302);
  const callback = new URL(again.headers.location, base);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) {
    throw new FlowError('authorize-2', `no code or wrong state in ${callback.href.slice(0, 200)}`);
  }
  mark('authorizeWithSession');

  // 5. redeem the code.
  const tokenResponse = await request('token', {
    method: 'POST', path: '/connect/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier,
    }).toString(),
  }, 200);
  const tokens = JSON.parse(tokenResponse.body);
  if (!tokens.access_token || !tokens.id_token || !tokens.refresh_token) {
    throw new FlowError('token', `missing tokens in ${tokenResponse.body.slice(0, 200)}`);
  }
  mark('token');
  return { tokens, steps };
}
