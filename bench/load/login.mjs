// Full login scenario: N virtual users, each on its own keep-alive connection, repeat the whole
// authorization code + PKCE flow with a password (authorize -> login form -> code -> token).
// Counts completed logins per second and the latency of one full login.
//
//   node load/login.mjs --base http://127.0.0.1:PORT --connections 32 --warmup 30 --duration 10 \
//     --user-template 'u{n}@bench.example' --user-count 32 [--user-pick vu|random] --password ... --out f.json
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { commonOptions, ProcessSampler, summarize, writeResult } from './common.mjs';
import { login } from './flow.mjs';

const { values: o } = parseArgs({
  options: {
    ...commonOptions,
    'client-id': { type: 'string', default: 'bench-rp' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:7999/cb' },
    'user-template': { type: 'string', default: 'u{n}@bench.example' },
    'user-count': { type: 'string', default: '32' },
    'user-pick': { type: 'string', default: 'vu' },
    password: { type: 'string' },
  },
});

const connections = Number(o.connections);
const userCount = Number(o['user-count']);
const email = (vu) => {
  const n = o['user-pick'] === 'random' ? 1 + Math.floor(Math.random() * userCount) : 1 + (vu % userCount);
  return o['user-template'].replace('{n}', String(n));
};

// One continuous run: warm-up and measurement back to back, so the load never drops between them.
// A login counts in the measurement when it completes inside the measured window.
let windowStart = Infinity;
let windowEnd = Infinity;
let stopAt = 0;
const measured = { latencies: [], errors: 0, errorSamples: [], steps: {} };
let warmCompleted = 0;
let warmErrors = 0;

async function virtualUser(vu) {
  const client = new Client(o.base, { pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 60_000, bodyTimeout: 60_000 });
  try {
    while (performance.now() < stopAt) {
      const started = performance.now();
      try {
        const { steps } = await login(client, o.base, {
          clientId: o['client-id'], redirectUri: o['redirect-uri'], email: email(vu), password: o.password,
        });
        const ended = performance.now();
        if (ended >= windowStart && ended <= windowEnd) {
          measured.latencies.push(ended - started);
          for (const [name, ms] of Object.entries(steps)) (measured.steps[name] ??= []).push(ms);
        } else if (ended < windowStart) warmCompleted++;
      } catch (error) {
        const ended = performance.now();
        if (ended >= windowStart && ended <= windowEnd) {
          measured.errors++;
          if (measured.errorSamples.length < 5) measured.errorSamples.push(String(error.message ?? error).slice(0, 300));
        } else if (ended < windowStart) warmErrors++;
      }
    }
  } finally {
    await client.close().catch(() => {});
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
  console.log(`login warm-up: ${warmCompleted} logins, ${warmErrors} errors in ${warmup} s`);
  sampler.start();
}, warmup * 1000);
let server;
const stopSampling = setTimeout(() => { server = sampler.stop(); }, (warmup + duration) * 1000);
// Logins in flight at the end of the window finish (and are not counted) before the process exits.
await Promise.all(Array.from({ length: connections }, (_, vu) => virtualUser(vu)));
clearTimeout(startSampling);
clearTimeout(stopSampling);
server ??= sampler.stop();

const stepP50 = Object.fromEntries(Object.entries(measured.steps).map(([k, v]) => [k, summarize(v).p50]));
writeResult(o.out, {
  scenario: o.label || 'login',
  target: o.target,
  db: o.db,
  unit: 'logins/s',
  connections,
  warmupSeconds: warmup,
  durationSeconds: duration,
  completed: measured.latencies.length,
  rate: measured.latencies.length / duration,
  latency: summarize(measured.latencies),
  stepP50Ms: stepP50,
  errors: measured.errors,
  errorSamples: measured.errorSamples,
  users: { template: o['user-template'], count: userCount, pick: o['user-pick'] },
  server,
});
