/**
 * Fault test (issue 16): `serve` and a separate `needlecare worker` process on one SQLite
 * file. The worker writes all the time (thousands of due messages it claims and dead-letters)
 * while a burst of 640 check-ins arrives: every check-in must be answered 2xx and stored —
 * SQLITE_BUSY must never reach a patient (transactions begin IMMEDIATE and wait out
 * busy_timeout; decision 0801).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countAnswers, runBurst } from '../../../test/fault-burst.ts';
import { startWorkerProcess, type WorkerProcess } from '../../../test/worker-process.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { outboxEvents, type RunningServer, startServer } from './serve.ts';

function silentIo() {
  const sink = () => new PassThrough().resume();
  return { stdin: new PassThrough(), stdout: sink(), stderr: sink(), env: {} };
}

describe('faults: serve + a separate worker process on one SQLite file', () => {
  let dir = '';
  let server: RunningServer | undefined;
  let worker: WorkerProcess | undefined;
  const tokens: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nc-faults-sqlite-'));
    const sqlitePath = join(dir, 'needlecare.db');
    const config = testConfig({
      sqlitePath,
      port: 0,
      patientLinks: { perLinkMax: 100_000, perIpMax: 100_000 },
    });
    server = await startServer(config, silentIo(), outboxEvents(config));
    const clinic = await seedClinic(server.db, 'Busy Clinic');
    const prac = await signIn(server.app, clinic.practitionerEmail);
    const performedAt = new Date(Date.now() - 3_600_000).toISOString();
    for (let i = 0; i < 32; i += 1) {
      tokens.push((await createSession(server.app, prac, { performedAt })).token);
    }
    // Work for the worker: due messages of a kind it does not know, each claimed, then
    // dead-lettered — two writes per message, in rounds of ten, for as long as the burst lasts.
    const now = new Date().toISOString();
    const rows = Array.from({ length: 1000 }, () => {
      const id = randomUUID();
      return {
        id,
        clinic_id: clinic.clinicId,
        kind: 'fault.test',
        dedupe_key: `fault:${id}`,
        payload_json: '{}',
        due_at: now,
        status: 'pending' as const,
        attempts: 0,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      await server.db
        .insertInto('outbox')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    worker = startWorkerProcess({ NEEDLECARE_DB: sqlitePath, WORKER_POLL_MS: '100' });
    // Wait (bounded) until the worker is writing.
    const db = server.db;
    for (let i = 0; i < 200; i += 1) {
      const dead = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'dead')
        .executeTakeFirstOrThrow();
      if (Number(dead.n) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('a burst of 640 check-ins while the worker writes: 0 errors, all stored', async () => {
    if (server === undefined || worker === undefined) throw new Error('not started');
    const deadBefore = await countDead(server);
    const result = await runBurst({ baseUrl: server.url, tokens, total: 640, concurrency: 16 });
    const deadAfter = await countDead(server);
    const counts = countAnswers(result.sent);
    const keys = result.sent.map((s) => s.key);
    const stored = await server.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', 'in', keys)
      .execute();
    const summary = {
      fault: 'sqlite serve + separate worker',
      ...counts,
      stored: stored.length,
      duplicates: 0,
      workerWritesDuringBurst: deadAfter - deadBefore,
    };
    process.stdout.write(`FAULT RUN ${JSON.stringify(summary)}\n`);
    expect(
      result.sent.filter((s) => s.status !== 201).map((s) => `${s.status} ${s.error}`),
    ).toEqual([]);
    expect(stored.length).toBe(640);
    // The worker really was writing while the check-ins came in.
    expect(deadAfter - deadBefore).toBeGreaterThan(0);
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);
});

async function countDead(server: RunningServer): Promise<number> {
  const row = await server.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
