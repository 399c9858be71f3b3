import pg from 'pg';
import { Client } from 'pg';
import { testConfig, seedClinic, signIn, createSession } from '../src/api/test-support.ts';
import { buildApp } from '../src/api/app.ts';
import { createLogger } from '../src/api/logger.ts';
import { systemClock } from '../src/services/clock.ts';
import { createDb } from '../src/store/db.ts';
import { withKeys } from '../src/store/keyring.ts';
import { migrateToLatest } from '../src/store/migrations.ts';
import { TEST_KEYS } from '../src/store/test-keys.ts';
import { groupCommitStats } from '../src/store/group-commit.ts';
const admin = new Client({ connectionString: process.env.DATABASE_URL });
await admin.connect();
const name = `nc_probe_${process.pid}`;
await admin.query(`CREATE DATABASE ${name}`);
const u = new URL(process.env.DATABASE_URL ?? ''); u.pathname = `/${name}`;
const db = withKeys(createDb({ databaseUrl: u.toString() }), TEST_KEYS);
await migrateToLatest(db);
const app = await buildApp({ config: testConfig({ databaseUrl: u.toString(), cookieSecure: false, sessionIdleMinutes: 600 }), db, clock: systemClock(), logger: createLogger('silent') });
await app.ready();
const clinic = await seedClinic(db, 'Probe');
const prac = await signIn(app, clinic.practitionerEmail);
const tokens: string[] = [];
for (let i = 0; i < 32; i++) tokens.push((await createSession(app, prac, { performedAt: new Date(Date.now() - 3600000).toISOString() })).token);
const stats = new Map<string, { n: number; ms: number }>();
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
  const t0 = performance.now();
  const r = orig.apply(this, args) as Promise<unknown>;
  if (r && typeof (r as Promise<unknown>).then === 'function') {
    (r as Promise<unknown>).then(() => { const k = text.slice(0, 70); const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t0; stats.set(k, s); }, () => {});
  }
  return r;
};
const t0 = performance.now();
let done = 0;
await Promise.all(Array.from({ length: 32 }, async (_, c) => {
  for (let j = 0; j < 10; j++) {
    const res = await app.inject({ method: 'POST', url: `/api/v1/p/${tokens[c]}/check-ins`, payload: { soreness: 3, symptoms: ['tenderness'] } });
    if (res.statusCode !== 201) console.log(res.statusCode, res.body);
    done++;
  }
}));
const secs = (performance.now() - t0) / 1000;
console.log('check-ins/s', (done / secs).toFixed(1), groupCommitStats(db, 'check-in'));
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(s.n, (s.ms / s.n).toFixed(2), 'ms avg', k);
await app.close(); await db.destroy();
await admin.query(`DROP DATABASE ${name}`); await admin.end();
