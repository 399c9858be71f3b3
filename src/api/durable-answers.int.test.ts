/**
 * The HTTP app holds every answer until the database's log is durable (decision 1484): on a
 * SQLite file whose fsync runs off the thread, a check-in is handed back at its group's commit
 * and its 201 waits for the fsync; a read waits for the commits before it; a failed fsync turns
 * the answer into a 500 problem, never a 201. SQLite only: on PostgreSQL a commit returns
 * durable and nothing waits. The fsync is the real one, held back behind a gate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { practitionerOf, recordLinkSession } from '../../test/link-sessions.ts';
import { submitCheckIn } from '../services/submit-check-in.ts';
import { createDb, type Db } from '../store/db.ts';
import { withKeys } from '../store/keyring.ts';
import { migrateToLatest } from '../store/migrations.ts';
import { TEST_KEYS } from '../store/test-keys.ts';
import { type SyncGate, settledWithin, syncGate } from '../store/test-sync-gate.ts';
import { untilDurable } from '../store/wal-sync.ts';
import { PROBLEM_CONTENT_TYPE } from './errors.ts';
import { createSession, makeTestApp, seedClinic, signIn } from './test-support.ts';

const opened: { app: FastifyInstance; db: Db; dir: string }[] = [];
afterEach(async () => {
  for (const { app, db, dir } of opened.splice(0)) {
    await app.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An app on a fresh file whose log's fsync is held by `gate`, with one patient link. */
async function world(gate: SyncGate) {
  const dir = mkdtempSync(join(tmpdir(), 'nc-durable-answers-'));
  const db = withKeys(
    createDb({ sqlitePath: join(dir, 'd.db'), syncOffThread: { sync: gate.sync } }),
    TEST_KEYS,
  );
  gate.open();
  await migrateToLatest(db);
  const { app, clock } = await makeTestApp(db);
  opened.push({ app, db, dir });
  const clinic = await seedClinic(db, 'Clínica Sur');
  const staff = await signIn(app, clinic.practitionerEmail);
  const session = await createSession(app, staff);
  const base = { ip: '127.0.0.1', requestId: 'durable-answers' } as const;
  const linked = await recordLinkSession(
    app.deps,
    clock,
    practitionerOf(clinic, base),
    { displayName: 'Held Patient', phone: '+34 600 000 001' },
    base,
  );
  gate.hold();
  const checkIn = (headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/p/${session.token}/check-ins`,
      headers,
      payload: { soreness: 3, symptoms: ['tenderness'] },
    });
  const checkIns = async () => (await db.selectFrom('check_ins').select('id').execute()).length;
  return { app, db, staff, session, linked, checkIn, checkIns };
}

describe('answers held until the log is durable (SQLite, fsync off the thread)', () => {
  it("holds a check-in's 201 until the fsync after its commit, then sends it", async () => {
    const gate = syncGate();
    const w = await world(gate);
    const answer = w.checkIn();
    expect(await settledWithin(answer)).toBe(false);
    // Committed and waiting for its fsync: the row is there, the 201 is not sent.
    expect(await w.checkIns()).toBe(1);
    expect(gate.calls.length).toBeGreaterThan(0);
    gate.open();
    const res = await answer;
    expect(res.statusCode).toBe(201);
    expect(res.json().assessment.disposition).toBe('self_care');
  });

  it("hands a check-in back at its commit to the app's doors, and once durable to any other caller", async () => {
    const gate = syncGate();
    const w = await world(gate);
    const submit = (deps: typeof w.app.deps) =>
      submitCheckIn(deps, w.linked.actor, {
        link: w.linked.link,
        input: { soreness: 2, symptoms: [] },
        source: 'patient',
        idempotencyKey: undefined,
      });
    expect(w.app.deps.answersHeldUntilDurable).toBe(true);
    // The app's doors: handed back while the fsync is held, for the answer to be prepared.
    const early = submit(w.app.deps);
    expect(await settledWithin(early)).toBe(true);
    expect((await early).status).toBe(201);
    gate.open();
    await untilDurable(w.db);
    // A caller that sends no answer through the app (the CLI, the worker): only once durable.
    gate.hold();
    const late = submit({ ...w.app.deps, answersHeldUntilDurable: false });
    expect(await settledWithin(late)).toBe(false);
    gate.open();
    expect((await late).status).toBe(201);
  });

  it('holds a read that comes after a commit not yet on disk', async () => {
    const gate = syncGate();
    const w = await world(gate);
    const write = w.checkIn();
    expect(await settledWithin(write)).toBe(false);
    // The practitioner's read sees the check-in: it is answered only once it is durable.
    const read = w.app.inject({
      method: 'GET',
      url: `/api/v1/sessions/${w.session.sessionId}`,
      headers: w.staff.headers(),
    });
    expect(await settledWithin(read)).toBe(false);
    gate.open();
    expect((await write).statusCode).toBe(201);
    const res = await read;
    expect(res.statusCode).toBe(200);
  });

  it('answers a 500 problem, never a 201, when that fsync fails, and acknowledges nothing after', async () => {
    const gate = syncGate();
    const w = await world(gate);
    const key = { 'idempotency-key': 'retry-1' };
    const answer = w.checkIn(key);
    expect(await settledWithin(answer)).toBe(false);
    gate.fail(new Error('EIO'));
    const res = await answer;
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
    expect(res.json()).toMatchObject({ code: 'internal', status: 500 });
    // The patient's retry is not answered as stored either.
    const retry = await w.checkIn(key);
    expect(retry.statusCode).toBe(500);
    expect(retry.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
  });
});
