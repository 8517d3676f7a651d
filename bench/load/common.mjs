// Shared pieces of the load drivers: server resource sampling, percentiles, result files.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reads VmRSS (KiB) and CPU ticks of a process from /proc; null once it is gone. */
function readProc(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // Fields after the command name "(...)": utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rssKiB: rss, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Busy CPU ticks of the whole machine (all cores) since boot, from /proc/stat. */
function machineBusyTicks() {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

/** CPU ticks of a process and its children (a PostgreSQL postmaster and its backends). */
function treeTicks(rootPid) {
  if (!rootPid) return 0;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === rootPid || Number(fields[1]) === rootPid) total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

/** Samples the server's RSS every `intervalMs` while a phase runs; reports the peak and its CPU use. */
export class ProcessSampler {
  constructor(pid, dbPid = null, intervalMs = 200) {
    this.pid = pid ? Number(pid) : null;
    this.dbPid = dbPid ? Number(dbPid) : null;
    this.intervalMs = intervalMs;
  }

  start() {
    this.samples = [];
    this.startedAt = process.hrtime.bigint();
    this.loadBefore = loadAverage();
    this.machineBefore = machineBusyTicks();
    this.selfBefore = readProc(process.pid);
    this.dbBefore = treeTicks(this.dbPid);
    if (!this.pid) return this;
    this.first = readProc(this.pid);
    this.timer = setInterval(() => {
      const s = readProc(this.pid);
      if (s) this.samples.push(s.rssKiB);
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop() {
    clearInterval(this.timer);
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const result = { loadAverageBefore: this.loadBefore, loadAverageAfter: loadAverage() };
    const last = this.pid ? readProc(this.pid) : null;
    // CPU of the load generator itself, and of everything else on the machine (other work that
    // competes with both): 100 % = one core busy for the whole phase.
    const self = readProc(process.pid);
    const machine = machineBusyTicks();
    const percent = (ticks) => Math.round((ticks / 100 / seconds) * 100);
    const selfTicks = self && this.selfBefore ? self.ticks - this.selfBefore.ticks : 0;
    const serverTicks = last && this.first ? last.ticks - this.first.ticks : 0;
    const dbTicks = this.dbPid ? Math.max(0, treeTicks(this.dbPid) - this.dbBefore) : 0;
    result.loadGeneratorCpuPercent = percent(selfTicks);
    if (this.dbPid) {
      result.databaseCpuPercent = percent(dbTicks);
      result.databaseCpuSeconds = dbTicks / 100;
    }
    result.serverCpuSeconds = serverTicks / 100;
    if (machine !== null && this.machineBefore !== null) {
      result.otherCpuPercent = Math.max(0, percent(machine - this.machineBefore - selfTicks - serverTicks - dbTicks));
    }
    if (!this.pid) return result;
    if (last) this.samples.push(last.rssKiB);
    const mib = (kib) => Math.round((kib / 1024) * 10) / 10;
    return {
      ...result,
      rssStartMiB: this.first ? mib(this.first.rssKiB) : null,
      rssPeakMiB: this.samples.length ? mib(Math.max(...this.samples)) : null,
      rssSamples: this.samples.length,
      // CLK_TCK is 100 on Linux; 100 % = one core busy for the whole phase.
      serverCpuPercent: this.first && last ? Math.round(((last.ticks - this.first.ticks) / 100 / seconds) * 100) : null,
    };
  }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** p50/p90/p99/max of latencies in milliseconds, rounded to 0.01 ms. */
export function summarize(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
  };
}

export function writeResult(file, result) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2));
  const r = result;
  console.log(`${r.scenario} [${r.target}${r.db ? '/' + r.db : ''}]: ${r.rate?.toFixed(1)}/s, p50 ${r.latency?.p50} ms, p99 ${r.latency?.p99} ms, errors ${r.errors}, RSS peak ${r.server?.rssPeakMiB ?? '-'} MiB`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Common command-line options of the drivers. */
export const commonOptions = {
  base: { type: 'string' },
  target: { type: 'string', default: 'ours' },
  db: { type: 'string', default: '' },
  label: { type: 'string', default: '' },
  connections: { type: 'string', default: '32' },
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '30' },
  pid: { type: 'string' },
  'db-pid': { type: 'string' },
  out: { type: 'string' },
};
