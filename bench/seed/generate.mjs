// Writes to stdout a script that inserts tenants and users straight into the identity provider's
// tables (after `migrate`): COPY ... FROM STDIN for psql, batched INSERTs in one transaction for
// the sqlite3 shell. Every user gets the SAME password hash (--hash, taken from a user the server
// itself created), since hashing a million passwords would take hours.
//
//   node seed/generate.mjs --db postgres|sqlite --mode scale --tenants 10000 --users 1000000 --hash H
//       tenants scale-0..scale-9999, users s1@scale.example..s1000000@scale.example, the first
//       user of each tenant its contract holder
//   node seed/generate.mjs --db postgres|sqlite --mode extra --tenant-id ID --template 'u{n}@bench.example' \
//       --from 2 --to 32 --hash H
//       more users in an existing tenant (the load's virtual users u2..u32)
//
// Column names and types follow src/IdentityProvider.Migrations.*/Migrations/*_Initial.cs: enums are
// strings, e-mail and user name normalised upper-case, Guid TEXT upper-case on SQLite, and on SQLite
// DateTimeOffset is an INTEGER from EF Core's DateTimeOffsetToBinaryConverter ((ticks/1000) << 11 | offset minutes).
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    db: { type: 'string' },
    mode: { type: 'string', default: 'scale' },
    tenants: { type: 'string', default: '10000' },
    users: { type: 'string', default: '1000000' },
    hash: { type: 'string' },
    'tenant-id': { type: 'string' },
    template: { type: 'string', default: 'u{n}@bench.example' },
    from: { type: 'string', default: '2' },
    to: { type: 'string', default: '32' },
  },
});
if (!['postgres', 'sqlite'].includes(o.db) || !o.hash) {
  console.error('usage: generate.mjs --db postgres|sqlite --hash H [--mode scale|extra ...]');
  process.exit(2);
}
const pg = o.db === 'postgres';
const now = new Date();

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function securityStamp() {
  // Identity's stamp: 20 random bytes in base32 (32 characters).
  const bytes = randomBytes(20);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

const guid = () => (pg ? randomUUID() : randomUUID().toUpperCase());
const sqliteTime = (date) => String(((BigInt(date.getTime()) * 10000n + 621355968000000000n) / 1000n) << 11n);
const createdAt = pg ? now.toISOString() : sqliteTime(now);
const sqlText = (s) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);

const tenantColumns = ['Id', 'Name', 'Plan', 'AccessRoute', 'TwoFactorEnabled', 'ContractHolderId', 'CreatedAt', 'TrialEndsAt'];
const userColumns = ['Id', 'TenantId', 'Role', 'LoginMethod', 'DisplayName', 'CreatedAt', 'LastSignInAt', 'UserName',
  'NormalizedUserName', 'Email', 'NormalizedEmail', 'EmailConfirmed', 'PasswordHash', 'SecurityStamp', 'ConcurrencyStamp',
  'PhoneNumber', 'PhoneNumberConfirmed', 'TwoFactorEnabled', 'LockoutEnd', 'LockoutEnabled', 'AccessFailedCount', 'FailedOneTimeCodeCount', 'LockedAt'];

// Values: strings, booleans, numbers-as-strings (raw) or null.
const raw = (s) => ({ raw: s });
function pgValue(v) {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'object') return v.raw;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}
function sqliteValue(v) {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'object') return v.raw;
  return sqlText(v);
}

const out = process.stdout;
let pending = [];
let pendingBytes = 0;
async function write(text) {
  pending.push(text);
  pendingBytes += text.length;
  if (pendingBytes > 1 << 20) await flush();
}
async function flush() {
  if (pending.length === 0) return;
  const chunk = pending.join('');
  pending = [];
  pendingBytes = 0;
  if (!out.write(chunk)) await once(out, 'drain');
}

/** A table writer: COPY rows for PostgreSQL, 500-row INSERT statements for SQLite. */
function table(name, columns) {
  let rows = 0;
  return {
    async begin() {
      if (pg) await write(`COPY "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN;\n`);
    },
    async row(values) {
      if (pg) {
        await write(values.map(pgValue).join('\t') + '\n');
      } else {
        await write((rows % 500 === 0 ? `${rows ? ';\n' : ''}INSERT INTO "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES\n` : ',\n')
          + `(${values.map(sqliteValue).join(',')})`);
      }
      rows++;
    },
    async end() {
      if (pg) await write('\\.\n');
      else if (rows) await write(';\n');
    },
  };
}

function user(id, tenantId, email, role) {
  const upper = email.toUpperCase();
  return [id, tenantId, role, 'Password', null, raw(pg ? createdAt : createdAt), null, email, upper, email, upper,
    false, o.hash, securityStamp(), randomUUID(), null, false, false, null, true, raw('0'), raw('0'), null];
}

if (pg) {
  await write('\\set ON_ERROR_STOP on\nSET synchronous_commit = off;\nBEGIN;\n');
} else {
  await write('.bail on\n.timeout 60000\nPRAGMA cache_size = -400000;\nBEGIN;\n');
}
if (pg) {
  // COPY text format: timestamps as ISO text need no quoting.
}

if (o.mode === 'scale') {
  const tenantCount = Number(o.tenants);
  const userCount = Number(o.users);
  const perTenant = Math.ceil(userCount / tenantCount);
  const tenantIds = Array.from({ length: tenantCount }, guid);
  const holderIds = Array.from({ length: tenantCount }, guid);

  const tenants = table('Tenants', tenantColumns);
  await tenants.begin();
  for (let t = 0; t < tenantCount; t++) {
    await tenants.row([tenantIds[t], `scale-${t}`, 'Basic', 'LineAndInternet', false, holderIds[t], raw(createdAt), null]);
  }
  await tenants.end();

  const users = table('AspNetUsers', userColumns);
  await users.begin();
  for (let i = 1; i <= userCount; i++) {
    const t = Math.floor((i - 1) / perTenant);
    const first = (i - 1) % perTenant === 0;
    await users.row(user(first ? holderIds[t] : guid(), tenantIds[t], `s${i}@scale.example`, first ? 'ContractHolder' : 'User'));
  }
  await users.end();
} else if (o.mode === 'extra') {
  const tenantId = pg ? o['tenant-id'] : o['tenant-id'].toUpperCase();
  const users = table('AspNetUsers', userColumns);
  await users.begin();
  for (let n = Number(o.from); n <= Number(o.to); n++) {
    await users.row(user(guid(), tenantId, o.template.replace('{n}', String(n)), 'User'));
  }
  await users.end();
} else {
  console.error(`unknown mode ${o.mode}`);
  process.exit(2);
}

await write('COMMIT;\n');
await write(pg ? 'ANALYZE "Tenants";\nANALYZE "AspNetUsers";\n' : 'ANALYZE;\n');
await flush();
