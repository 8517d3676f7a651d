// Refresh-token grant with rotation: each connection holds its own refresh token and chains it
// (the response's new refresh token is the next request's), since the old one dies at once.
//
//   ours:   starting tokens come from one full login per connection (--password, users u1..uN);
//   theirs: starting tokens are read from --tokens-file (minted by node-provider/server.mjs).
//
//   node load/refresh.mjs --base URL --token-path /connect/token --connections 32 --warmup 30 --duration 10 ...
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { commonOptions, ProcessSampler, summarize, writeResult } from './common.mjs';
import { login } from './flow.mjs';

const { values: o } = parseArgs({
  options: {
    ...commonOptions,
    'token-path': { type: 'string', default: '/connect/token' },
    'client-id': { type: 'string', default: 'bench-rp' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:7999/cb' },
    'user-template': { type: 'string', default: 'u{n}@bench.example' },
    password: { type: 'string' },
    'tokens-file': { type: 'string' },
  },
});

const connections = Number(o.connections);
const clients = Array.from({ length: connections }, () =>
  new Client(o.base, { pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 }));

async function freshToken(vu) {
  const { tokens } = await login(clients[vu], o.base, {
    clientId: o['client-id'], redirectUri: o['redirect-uri'],
    email: o['user-template'].replace('{n}', String(vu + 1)), password: o.password,
  });
  return tokens.refresh_token;
}

// Starting tokens: at most 4 logins at a time (each costs a password hash).
const tokens = o['tokens-file'] ? JSON.parse(readFileSync(o['tokens-file'], 'utf8')) : new Array(connections);
if (!o['tokens-file']) {
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < connections) {
      const vu = next++;
      tokens[vu] = await freshToken(vu);
    }
  }));
}
if (tokens.length < connections) throw new Error(`need ${connections} starting refresh tokens, have ${tokens.length}`);

// One continuous run: warm-up and measurement back to back, so the load never drops between them.
// A refresh counts in the measurement when it completes inside the measured window.
let windowStart = Infinity;
let windowEnd = Infinity;
let stopAt = 0;
let brokenChains = 0;
const measured = { latencies: [], errors: 0, errorSamples: [] };
let warmCompleted = 0;
let warmErrors = 0;
let allCompleted = 0;
// The first token of chain 0, kept to replay once the load is over: rotation means it is dead.
let replayCandidate = null;

async function connection(vu) {
  while (performance.now() < stopAt && tokens[vu]) {
    const started = performance.now();
    let ok = false;
    let problem = null;
    try {
      const response = await clients[vu].request({
        method: 'POST', path: o['token-path'],
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: o['client-id'], refresh_token: tokens[vu] }).toString(),
      });
      const body = await response.body.text();
      if (response.statusCode === 200) {
        const json = JSON.parse(body);
        if (json.refresh_token && json.access_token && json.refresh_token !== tokens[vu]) {
          if (vu === 0 && replayCandidate === null) replayCandidate = tokens[vu];
          tokens[vu] = json.refresh_token;
          allCompleted++;
          ok = true;
        } else problem = `no rotated refresh token: ${body.slice(0, 200)}`;
      } else problem = `HTTP ${response.statusCode} ${body.slice(0, 200)}`;
    } catch (error) {
      problem = String(error.message ?? error).slice(0, 200);
    }
    const ended = performance.now();
    const inWindow = ended >= windowStart && ended <= windowEnd;
    if (ok) {
      if (inWindow) measured.latencies.push(ended - started);
      else if (ended < windowStart) warmCompleted++;
    } else {
      if (inWindow) {
        measured.errors++;
        if (measured.errorSamples.length < 5) measured.errorSamples.push(problem);
      } else if (ended < windowStart) warmErrors++;
      // The chain is broken (the token may be revoked): start a new one where we can.
      brokenChains++;
      tokens[vu] = o['tokens-file'] ? null : await freshToken(vu).catch(() => null);
    }
  }
}

const warmup = Number(o.warmup);
const duration = Number(o.duration);
const t0 = performance.now();
windowStart = t0 + warmup * 1000;
windowEnd = windowStart + duration * 1000;
stopAt = windowEnd;
const sampler = new ProcessSampler(o.pid, o['db-pid']);
const startSampling = setTimeout(() => {
  console.log(`refresh warm-up: ${warmCompleted} refreshes, ${warmErrors} errors in ${warmup} s`);
  sampler.start();
}, warmup * 1000);
let server;
const stopSampling = setTimeout(() => { server = sampler.stop(); }, (warmup + duration) * 1000);
await Promise.all(Array.from({ length: connections }, (_, vu) => connection(vu)));
clearTimeout(startSampling);
clearTimeout(stopSampling);
server ??= sampler.stop();

// Rotation check: the replayed, already-used token must be refused (and, per the security BCP,
// the chain it belongs to revoked - so this runs after the measurement).
let replay = null;
if (replayCandidate) {
  const response = await clients[0].request({
    method: 'POST', path: o['token-path'],
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: o['client-id'], refresh_token: replayCandidate }).toString(),
  });
  const body = await response.body.text();
  replay = { status: response.statusCode, rejected: response.statusCode === 400 && body.includes('invalid_grant') };
  console.log(`replay of a used refresh token: HTTP ${response.statusCode}${replay.rejected ? ' invalid_grant (rotation holds)' : ' - NOT REJECTED'}`);
}
await Promise.all(clients.map((c) => c.close().catch(() => {})));

writeResult(o.out, {
  scenario: o.label || 'refresh',
  target: o.target,
  db: o.db,
  unit: 'tokens/s',
  connections,
  warmupSeconds: warmup,
  durationSeconds: duration,
  completed: measured.latencies.length,
  rate: measured.latencies.length / duration,
  latency: summarize(measured.latencies),
  errors: measured.errors,
  errorSamples: measured.errorSamples,
  brokenChains,
  refreshesIncludingWarmup: allCompleted,
  replayOfUsedToken: replay,
  liveChainsAtEnd: tokens.filter(Boolean).length,
  server,
});
