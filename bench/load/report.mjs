// Reads the raw results of one run (bench/results/tmp/<run>/) and prints the table of issue #3;
// writes the same as JSON, as a markdown table (for the README) and as an SVG bar chart.
//
//   node load/report.mjs --work DIR --json results/latest.json --svg results/latest.svg [--markdown f.md]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: { work: { type: 'string' }, json: { type: 'string' }, svg: { type: 'string' }, markdown: { type: 'string' } },
});

const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const settings = read(join(o.work, 'settings.json'));
const machine = read(join(o.work, 'machine.json'));
const dir = join(o.work, 'results');
const raw = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => read(join(dir, f)));
const hashFile = (name) => (existsSync(join(dir, `${name}.json`)) ? read(join(dir, `${name}.json`)) : null);
const hash = hashFile('password-hash');
/** The mean of two hash measurements around one scenario, with both kept whole; one alone if the other is missing. */
function hashAround(before, after) {
  if (!before || !after) return before ?? after;
  const mean = (key) => (before[key] + after[key]) / 2;
  return {
    algorithm: before.algorithm,
    threads: before.threads,
    perSecond: mean('perSecond'),
    msPerVerificationPerThread: mean('msPerVerificationPerThread'),
    cpuMsPerVerification: mean('cpuMsPerVerification'),
    before,
    after,
  };
}
const nodeInfo = existsSync(join(o.work, 'node.json')) ? read(join(o.work, 'node.json')) : null;
const seeds = raw.filter((r) => r.usersInDatabase !== undefined);
const stored = raw.filter((r) => r.refreshTokenRows !== undefined);
const find = (scenario, target, db) => raw.find((r) => r.scenario === scenario && r.target === target && r.db === db);

const round = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);
// CPU time (server + its PostgreSQL backends) per completed operation: the comparison that holds
// up when other work on the machine takes part of the cores.
const cpuMsPerOp = (r) => (r?.server?.serverCpuSeconds !== undefined && r.completed > 0
  ? ((r.server.serverCpuSeconds + (r.server.databaseCpuSeconds ?? 0)) * 1000) / r.completed : null);
const tailOk = (r) => r && r.latency?.p50 > 0 && r.latency.p99 <= 5 * r.latency.p50;

const rows = [];
const dbOrder = ['sqlite', 'postgres'];
const dbs = [...new Set(raw.filter((r) => r.target === 'ours').map((r) => r.db))].sort((a, b) => dbOrder.indexOf(a) - dbOrder.indexOf(b));
const node = (scenario) => find(scenario, 'theirs', 'node');

for (const db of dbs) {
  const cc = find('client-credentials', 'ours', db);
  if (cc) {
    const theirs = node('client-credentials');
    const ratio = theirs ? cc.rate / theirs.rate : null;
    rows.push({
      scenario: 'client-credentials', db, ours: cc, theirs, reference: theirs ? 'node-oidc-provider' : null,
      referenceRate: theirs?.rate ?? null, ratio,
      cpuRatio: cpuMsPerOp(cc) && cpuMsPerOp(theirs) ? cpuMsPerOp(theirs) / cpuMsPerOp(cc) : null,
      goal: '>= 1.0x node-oidc-provider and >= 1,500/s; p99 <= 5x p50; no errors',
      met: ratio !== null && ratio >= 1 && cc.rate >= 1500 && tailOk(cc) && cc.errors === 0,
    });
  }
  const refresh = find('refresh', 'ours', db);
  if (refresh) {
    const theirs = node('refresh');
    rows.push({
      scenario: 'refresh (rotation)', db, ours: refresh, theirs, reference: theirs ? 'node-oidc-provider (in memory)' : null,
      referenceRate: theirs?.rate ?? null, ratio: theirs ? refresh.rate / theirs.rate : null,
      cpuRatio: cpuMsPerOp(refresh) && cpuMsPerOp(theirs) ? cpuMsPerOp(theirs) / cpuMsPerOp(refresh) : null,
      goal: '>= 1,000/s, stored in the database; p99 <= 5x p50; no errors',
      met: refresh.rate >= 1000 && tailOk(refresh) && refresh.errors === 0,
    });
  }
  const login = find('login', 'ours', db);
  if (login) {
    // The hash rate measured right before and right after this login scenario (their mean: the
    // machine's speed drifts by 10-30 % within minutes here), else the one at the start of the run.
    const near = hashAround(hashFile(`password-hash-${db}`) ?? hash, hashFile(`password-hash-${db}-after`));
    const ratio = near ? login.rate / near.perSecond : null;
    rows.push({
      scenario: 'login (code + PKCE + password)', db, ours: login, theirs: null, reference: 'password hash alone',
      referenceRate: near?.perSecond ?? null, ratio, passwordHash: near,
      // The same goal by CPU time: what fraction of the hash rate the server would reach with the cores to itself.
      cpuRatio: near?.cpuMsPerVerification && cpuMsPerOp(login) ? near.cpuMsPerVerification / cpuMsPerOp(login) : null,
      goal: '>= 90 % of the password-hash rate; p99 <= 5x p50; no errors',
      met: ratio !== null && ratio >= 0.9 && tailOk(login) && login.errors === 0,
    });
  }
  for (const [scenario, name] of [['client-credentials', 'client-credentials'], ['refresh', 'refresh (rotation)'], ['login', 'login (code + PKCE + password)']]) {
    const scaled = find(`scale-${scenario}`, 'ours', db);
    const empty = find(scenario, 'ours', db);
    if (!scaled || !empty) continue;
    const seed = seeds.find((s) => s.db === db);
    const ratio = scaled.latency.p50 !== null && empty.latency.p50 ? scaled.latency.p50 / empty.latency.p50 : NaN;
    rows.push({
      scenario: `scale: ${name}`, db, ours: scaled, theirs: null,
      reference: `same, empty database (p50 ${empty.latency.p50} ms)`, referenceRate: empty.rate,
      p50Ratio: ratio, ratio: null,
      // CPU time per operation against the empty database: the part of the p50 change that is the data's.
      cpuRatio: cpuMsPerOp(scaled) && cpuMsPerOp(empty) ? cpuMsPerOp(scaled) / cpuMsPerOp(empty) : null,
      seed: seed ? { tenants: seed.tenants, users: seed.users, usersInDatabase: seed.usersInDatabase, seconds: seed.seconds } : null,
      goal: 'p50 within 20 % of the empty database',
      met: ratio <= 1.2 && scaled.errors === 0,
    });
  }
}

// --- stdout table ----------------------------------------------------------------------------------
const fmtRate = (v) => (v === null || v === undefined ? '-' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const fmtLat = (r) => (r && r.latency.p50 !== null ? `${round(r.latency.p50)} / ${round(r.latency.p99)}` : '-');
const fmtRatio = (row) => (row.p50Ratio !== undefined ? (Number.isFinite(row.p50Ratio) ? `p50 ${row.p50Ratio.toFixed(2)}x` : '-') : row.ratio === null ? '-' : row.ratio >= 0.1 ? `${row.ratio.toFixed(2)}x` : `${row.ratio.toFixed(3)}x`);
const header = ['scenario', 'db', 'ours /s', 'theirs /s', 'ratio', 'ours p50/p99 ms', 'theirs p50/p99 ms', 'errors', 'RSS peak MiB', 'CPU ms/op', 'server CPU %', 'db CPU %', 'others CPU %', 'goal met'];
const table = rows.map((row) => [
  row.scenario,
  row.db,
  fmtRate(row.ours.rate),
  row.theirs ? fmtRate(row.theirs.rate) : row.referenceRate !== null && row.reference === 'password hash alone' ? `${fmtRate(row.referenceRate)} (hash)` : '-',
  fmtRatio(row),
  fmtLat(row.ours),
  fmtLat(row.theirs),
  String(row.ours.errors + (row.theirs?.errors ?? 0)),
  `${row.ours.server?.rssPeakMiB ?? '-'}${row.theirs ? ` / ${row.theirs.server?.rssPeakMiB ?? '-'}` : ''}`,
  [cpuMsPerOp(row.ours), row.theirs ? cpuMsPerOp(row.theirs) : row.passwordHash?.cpuMsPerVerification]
    .filter((v, i) => i === 0 || v !== undefined).map((v) => (v === null || v === undefined ? '-' : v >= 10 ? v.toFixed(0) : v.toFixed(2))).join(' / '),
  `${row.ours.server?.serverCpuPercent ?? '-'}${row.theirs ? ` / ${row.theirs.server?.serverCpuPercent ?? '-'}` : ''}`,
  `${row.ours.server?.databaseCpuPercent ?? '-'}`,
  `${row.ours.server?.otherCpuPercent ?? '-'}${row.theirs ? ` / ${row.theirs.server?.otherCpuPercent ?? '-'}` : ''}`,
  row.met ? 'yes' : 'NO',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 12 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');

const settingsLine = `warm-up ${settings.warmupSeconds} s (scale rows: ${settings.scaleWarmupSeconds} s) then ${settings.durationSeconds} s measured per scenario, ${settings.connections} connections`;
const machineLine = `${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}; .NET ${machine.dotnet}, Node ${machine.node}, PostgreSQL ${machine.postgres}, SQLite ${machine.sqlite}; load average ${machine.loadAverageAtStart?.join(' ')} at start, ${machine.loadAverageAtEnd?.join(' ') ?? '?'} at end`;
console.log('');
console.log(`Benchmark ${settings.runId} (commit ${settings.gitCommit}): ${settingsLine}`);
console.log(`Machine: ${machineLine}`);
if (hash) {
  const nearby = dbs.flatMap((db) => [[`before the ${db} login`, hashFile(`password-hash-${db}`)], [`after it`, hashFile(`password-hash-${db}-after`)]])
    .filter(([, h]) => h).map(([when, h]) => `${h.perSecond.toFixed(1)}/s ${when}`).join(', ');
  console.log(`Password hash alone (${hash.algorithm}, ${hash.threads} threads): ${hash.perSecond.toFixed(1)}/s at the start (${hash.msPerVerificationPerThread.toFixed(1)} ms each)${nearby ? `, ${nearby}` : ''}`);
}
if (nodeInfo) console.log(`node-oidc-provider ${nodeInfo.version}: ${nodeInfo.alg} JWT access tokens (ours advertise ${nodeInfo.ourAlg}), ${nodeInfo.idTokenAlg ?? 'RS256'} ID tokens on both, in-memory adapter`);
console.log('');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of table) console.log(line(r));
console.log('');
console.log('theirs = node-oidc-provider (in-memory adapter, same signing algorithm); for login the reference is the password hash alone.');
console.log('CPU ms/op: CPU time of the server (+ its PostgreSQL backends) per completed token or login; ours / theirs, or');
console.log('ours / one password hash. It depends much less than a rate on what else the machine was doing.');
for (const row of rows.filter((r) => r.cpuRatio)) {
  if (row.p50Ratio !== undefined) {
    console.log(`  by CPU time, ${row.scenario} on ${row.db}: ${row.cpuRatio.toFixed(2)}x the CPU per operation of the empty database (p50 ${row.p50Ratio.toFixed(2)}x)`);
    continue;
  }
  console.log(`  by CPU time, ${row.scenario} on ${row.db}: ours reaches ${row.cpuRatio.toFixed(2)}x ${row.reference === 'password hash alone' ? 'the password-hash rate' : 'node-oidc-provider'} (rate ratio ${row.ratio?.toFixed(2)}x)`);
}
console.log('RSS peak, server CPU: ours / theirs (100 % = one core). db CPU: the PostgreSQL postmaster and its backends.');
console.log('others CPU: every process on the machine but the server, its database and the load generator during the');
console.log('measurement - work of other users that competed for the same cores.');
console.log('Scale rows compare p50 with the same scenario on the empty database (same server process, after the seeding).');
for (const r of raw.filter((x) => x.replayOfUsedToken !== undefined)) {
  const rec = stored.find((s) => s.db === r.db && s.after === r.scenario);
  const count = rec ? `${rec.refreshTokenRows} (${rec.redeemedRefreshTokenRows} redeemed)` : undefined;
  console.log(`${r.scenario} (${r.target}/${r.db}): ${r.refreshesIncludingWarmup} rotations incl. warm-up`
    + `${count !== undefined ? `, ${count} refresh-token rows in the database afterwards` : ''}`
    + `; replay of a used token ${r.replayOfUsedToken?.rejected ? 'rejected (invalid_grant)' : `NOT rejected (HTTP ${r.replayOfUsedToken?.status})`}`);
}
for (const row of rows.filter((r) => r.ours.completed === 0)) {
  console.log(`WARNING: ${row.scenario} (${row.db}) completed nothing inside the ${row.ours.durationSeconds} s window: each one took longer; use a longer --duration.`);
}
for (const row of rows) {
  const samples = [...(row.ours.errorSamples ?? []), ...(row.theirs?.errorSamples ?? [])];
  if (samples.length) console.log(`errors in ${row.scenario} (${row.db}): ${samples.slice(0, 2).join(' | ')}`);
}

// --- markdown ----------------------------------------------------------------------------------
if (o.markdown) {
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i >= 2 && i <= 12 ? '---:' : '---')).join('|')}|`,
    ...table.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeFileSync(o.markdown, `${md}\n`);
}

// --- JSON --------------------------------------------------------------------------------------
const slim = (r) => r && {
  rate: round(r.rate, 2), unit: r.unit, cpuMsPerOp: round(cpuMsPerOp(r), 3), completed: r.completed, latencyMs: r.latency, errors: r.errors,
  errorDetail: r.errorDetail, stepP50Ms: r.stepP50Ms, accessToken: r.accessToken, server: r.server,
  brokenChains: r.brokenChains, refreshesIncludingWarmup: r.refreshesIncludingWarmup, replayOfUsedToken: r.replayOfUsedToken,
  storedAfter: stored.find((s) => s.db === r.db && s.after === r.scenario),
  durationSeconds: r.durationSeconds, warmupSeconds: r.warmupSeconds,
};
writeFileSync(o.json, JSON.stringify({
  settings, machine, passwordHash: hash, nodeOidcProvider: nodeInfo,
  rows: rows.map((row) => ({
    scenario: row.scenario, db: row.db, goal: row.goal, met: row.met, reference: row.reference,
    referenceRate: round(row.referenceRate, 2), ratio: round(row.ratio, 3),
    p50Ratio: Number.isFinite(row.p50Ratio) ? round(row.p50Ratio, 3) : null,
    cpuRatio: round(row.cpuRatio, 3), cpuMsPerOp: { ours: round(cpuMsPerOp(row.ours), 3), theirs: round(cpuMsPerOp(row.theirs), 3) },
    seed: row.seed, passwordHash: row.passwordHash, ours: slim(row.ours), theirs: slim(row.theirs),
  })),
}, null, 2) + '\n');

// --- SVG: rate per row, ours vs reference, on a log scale (login and tokens differ by 100x) ----------
if (o.svg) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const left = 330; const plot = 560; const barH = 14; const rowH = 44; const top = 78;
  const others = rows.map((r) => r.ours.server?.otherCpuPercent).filter((v) => v !== undefined && v !== null);
  const height = top + rows.length * rowH + 60;
  const width = left + plot + 260;
  const maxRate = Math.max(10, ...rows.flatMap((r) => [r.ours.rate, r.referenceRate ?? 0]));
  const decades = Math.ceil(Math.log10(maxRate));
  const x = (v) => left + (Math.log10(Math.max(1, v)) / decades) * plot;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="16" y="24" font-size="16" font-weight="bold">Identity provider benchmark ${esc(settings.runId)} (per second, log scale)</text>`);
  parts.push(`<text x="16" y="44" fill="#444">${esc(settingsLine)}</text>`);
  parts.push(`<text x="16" y="60" fill="#444">${esc(`${machine.nproc} cores, ${machine.cpu}, ${machine.memoryGiB} GiB; load average at start ${machine.loadAverageAtStart?.join(' ')}${others.length ? `; other processes used ${Math.min(...others)}-${Math.max(...others)} % of one core meanwhile` : ''}`)}</text>`);
  for (let d = 0; d <= decades; d++) {
    const gx = left + (d / decades) * plot;
    parts.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#666">${(10 ** d).toLocaleString('en-US')}</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 10}" y="${y + 13}" text-anchor="end">${esc(row.scenario)}</text>`);
    parts.push(`<text x="${left - 10}" y="${y + 28}" text-anchor="end" fill="${row.met ? '#2a7d2a' : '#b22222'}">${esc(row.db)} - goal ${row.met ? 'met' : 'not met'}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(row.ours.rate) - left)}" height="${barH}" fill="#1f77b4"/>`);
    parts.push(`<text x="${x(row.ours.rate) + 4}" y="${y + 11}">${esc(fmtRate(row.ours.rate))} ours (p50 ${round(row.ours.latency.p50)} ms)</text>`);
    if (row.referenceRate) {
      parts.push(`<rect x="${left}" y="${y + barH + 2}" width="${Math.max(1, x(row.referenceRate) - left)}" height="${barH}" fill="#aaa"/>`);
      parts.push(`<text x="${x(row.referenceRate) + 4}" y="${y + barH + 13}" fill="#444">${esc(fmtRate(row.referenceRate))} ${esc(row.reference?.replace(/ \(p50.*$/, '') ?? '')}</text>`);
    }
  });
  const ly = top + rows.length * rowH + 34;
  parts.push(`<rect x="${left}" y="${ly - 10}" width="12" height="12" fill="#1f77b4"/><text x="${left + 18}" y="${ly}">ours</text>`);
  parts.push(`<rect x="${left + 70}" y="${ly - 10}" width="12" height="12" fill="#aaa"/><text x="${left + 88}" y="${ly}">reference: node-oidc-provider, password hash alone, or the empty database</text>`);
  parts.push('</svg>');
  writeFileSync(o.svg, parts.join('\n') + '\n');
}
