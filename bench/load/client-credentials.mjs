// Client credentials: the same fixed POST on every connection, driven by autocannon.
// Latencies are taken from autocannon's per-response timings (milliseconds as a fraction), not from
// its histogram, which counts whole milliseconds: at a p50 of 4-5 ms that rounding alone decided
// whether a scale row was "within 20 %".
//
//   node load/client-credentials.mjs --base URL --token-path /connect/token --secret S --connections 32 --warmup 30 --duration 10 ...
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { commonOptions, ProcessSampler, summarize, writeResult } from './common.mjs';

const { values: o } = parseArgs({
  options: {
    ...commonOptions,
    'token-path': { type: 'string', default: '/connect/token' },
    'client-id': { type: 'string', default: 'bench-cc' },
    secret: { type: 'string' },
    scope: { type: 'string', default: 'idp.admin' },
  },
});

const url = new URL(o['token-path'], o.base).href;
const body = new URLSearchParams({
  grant_type: 'client_credentials', client_id: o['client-id'], client_secret: o.secret, scope: o.scope,
}).toString();
const request = { url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };

// One checked request first: a 200 with a signed JWT access token, so the load measures the real thing.
const probe = await fetch(url, { method: 'POST', headers: request.headers, body });
const json = await probe.json().catch(() => ({}));
const header = json.access_token?.split('.').length === 3
  ? JSON.parse(Buffer.from(json.access_token.split('.')[0], 'base64url').toString()) : null;
if (probe.status !== 200 || !header) {
  console.error(`client credentials probe failed: HTTP ${probe.status} ${JSON.stringify(json).slice(0, 300)}`);
  process.exit(1);
}

/** One autocannon run; `latencies` (if given) receives the time of each 2xx response, in ms. */
const run = (seconds, latencies = null) => {
  const instance = autocannon({ ...request, connections: Number(o.connections), duration: seconds, timeout: 30 });
  if (latencies) {
    instance.on('response', (client, statusCode, bytes, responseTime) => {
      if (Number(statusCode) >= 200 && Number(statusCode) < 300) latencies.push(responseTime);
    });
  }
  return instance;
};

if (Number(o.warmup) > 0) {
  const warm = await run(Number(o.warmup));
  console.log(`client-credentials warm-up: ${warm.requests.total} requests, ${warm.non2xx} non-2xx, ${warm.errors} errors`);
}
const sampler = new ProcessSampler(o.pid, o['db-pid']).start();
const latencies = [];
const r = await run(Number(o.duration), latencies);
const server = sampler.stop();

writeResult(o.out, {
  scenario: o.label || 'client-credentials',
  target: o.target,
  db: o.db,
  unit: 'tokens/s',
  connections: Number(o.connections),
  warmupSeconds: Number(o.warmup),
  durationSeconds: r.duration,
  completed: r['2xx'],
  // 2xx responses per second: a non-2xx answer is no token.
  rate: r['2xx'] / r.duration,
  latency: summarize(latencies),
  // autocannon's own figures, in whole milliseconds.
  autocannonLatency: { count: r.requests.total, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
  errors: r.non2xx + r.errors + r.timeouts,
  errorDetail: { non2xx: r.non2xx, socketErrors: r.errors, timeouts: r.timeouts },
  accessToken: { alg: header.alg, typ: header.typ ?? null, bytes: json.access_token.length },
  server,
});
