import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyRetention } from '../services/patient-records.ts';
import { createDb, type Db } from '../store/db.ts';
import { withKeys } from '../store/keyring.ts';
import { migrateToLatest } from '../store/migrations.ts';
import { seedClinic, seedSession } from '../store/test-fixtures.ts';
import { TEST_KEYS } from '../store/test-keys.ts';
import { pruneExpired } from './housekeeping.ts';

/**
 * Housekeeping runs in the server's process (`serve --worker`, `npm start`) and, on SQLite,
 * on its only thread: a statement that scans a whole table blocks every request while it runs.
 * On the scale bench's file (1M check-ins) the retention query joined sessions on the patient
 * alone and scanned all 200k sessions for every patient: ~3 s per clinic, ~50 minutes per
 * housekeeping round with the server deaf. Every statement of a round must find its rows by an
 * index; only small or short-lived tables may be read whole (`WHOLE_READ_ALLOWED`). (SQLite's plans; PostgreSQL's planner picks
 * sequential scans on tables this small, so its plans say nothing here.)
 */
/**
 * Tables a round may read whole: the clinics (the round visits each), bulk FHIR exports (a
 * handful, kept an hour) and idempotency keys (pruned after 7 days; erasure removes the stored
 * answers that name the patient, a text search no index serves).
 */
const WHOLE_READ_ALLOWED = /^SCAN (clinics|fhir_exports|idempotency_keys)\b/;

let db: Db;
const seen = new Map<string, CompiledQuery>();

beforeAll(async () => {
  db = withKeys(createDb({ sqlitePath: ':memory:' }), TEST_KEYS);
  await migrateToLatest(db);
  await seedSession(db);
  await seedClinic(db, 'Second clinic');
});

afterAll(async () => {
  await db.destroy();
});

it('every statement of a housekeeping round uses an index (no full scans of patient data)', async () => {
  const capturing = db.withPlugin({
    transformQuery: (args) => {
      const compiled = db.getExecutor().compileQuery(args.node, args.queryId);
      seen.set(compiled.sql, compiled);
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const now = new Date('2046-11-25T14:00:00.000Z');
  await applyRetention({ db: capturing, clock: { now: () => now } }, 'worker:plans');
  await pruneExpired(capturing, now);
  expect(seen.size).toBeGreaterThan(5);
  const scans: string[] = [];
  for (const query of seen.values()) {
    if (!/^\s*(select|update|delete|insert)/i.test(query.sql)) continue;
    const plan = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    for (const { detail } of plan.rows) {
      if (/^SCAN /.test(detail) && !WHOLE_READ_ALLOWED.test(detail))
        scans.push(`${detail}   ← ${query.sql.slice(0, 160)}`);
    }
  }
  expect(scans).toEqual([]);
});
