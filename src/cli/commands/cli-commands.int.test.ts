import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { manualClock } from '../../services/clock.ts';
import {
  AUDIT_LANE_SPAN,
  appendAuditEvent,
  type NewAuditEvent,
  openAuditLane,
} from '../../store/audit.repository.ts';
import { cutAuditLaneBack, emptyAuditLog } from '../../store/test-fixtures.ts';
import { TEST_KEY_ENV } from '../../store/test-keys.ts';
import type { CliIo } from '../io.ts';
import { auditCommand } from './audit.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { outboxEvents, serveCommand, startServer } from './serve.ts';

function captureIo(env: NodeJS.ProcessEnv): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { io: { stdin: new PassThrough(), stdout, stderr, env }, out: () => out, err: () => err };
}

describe('serve, migrate and audit: usage and config errors', () => {
  it('serve lists every bad variable and exits 2 without starting', async () => {
    const c = captureIo({ PORT: 'x', LOG_LEVEL: 'chatty', DATABASE_URL: 'mysql://nope' });
    expect(await serveCommand([], c.io)).toBe(2);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(c.err()).toContain(name);
  });

  it('serve refuses an audit lane out of range, or one its processes would run past', async () => {
    const bad = captureIo({ NEEDLECARE_AUDIT_LANE: '0' });
    expect(await serveCommand(['--processes', '1'], bad.io)).toBe(2);
    expect(bad.err()).toContain('NEEDLECARE_AUDIT_LANE: must be a whole number from 1 to 1024');
    const past = captureIo({ NEEDLECARE_AUDIT_LANE: '1024' });
    expect(await serveCommand(['--processes', '2'], past.io)).toBe(2);
    expect(past.err().trim().split('\n')).toEqual([
      'needlecare serve: NEEDLECARE_AUDIT_LANE 1024 leaves no lane for 2 processes (lanes end at 1024)',
    ]);
  });

  it('rejects unknown arguments', async () => {
    expect(await serveCommand(['--fast'], captureIo({}).io)).toBe(2);
    expect(await migrateCommand(['now'], captureIo({}).io)).toBe(2);
    expect(await auditCommand([], captureIo({}).io)).toBe(2);
    expect(await auditCommand(['repair'], captureIo({}).io)).toBe(2);
    expect(await keysCommand([], captureIo({}).io)).toBe(2);
    expect(await keysCommand(['rotate'], captureIo({}).io)).toBe(2);
  });
});

/** A system event of the tests' own. */
const testEvent = (i: number): NewAuditEvent => ({
  at: '2026-11-25T09:00:00.000Z',
  actorType: 'system',
  action: `test.${i}`,
  subjectType: 'test',
});

describeEachDialect('cli commands', (ctx) => {
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env =
      ctx.config.databaseUrl === undefined
        ? { NEEDLECARE_DB: ctx.config.sqlitePath, ...TEST_KEY_ENV }
        : { DATABASE_URL: ctx.config.databaseUrl, ...TEST_KEY_ENV };
  });

  it('migrate is idempotent', async () => {
    const c = captureIo(env);
    expect(await migrateCommand([], c.io)).toBe(0);
    expect(c.out()).toContain('already up to date');
  });

  it('serve starts, answers and stops gracefully', async () => {
    const c = captureIo(env);
    const config = testConfig({
      port: 0,
      databaseUrl: ctx.config.databaseUrl,
      sqlitePath: ctx.config.sqlitePath ?? ':memory:',
      logLevel: 'silent',
      auditLane: 3,
    });
    const server = await startServer(config, c.io);
    const res = await fetch(`${server.url}/readyz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    // Its audit lane: NEEDLECARE_AUDIT_LANE's on PostgreSQL, lane 1 on SQLite (decision 1473).
    const lanes = (await ctx.db.selectFrom('audit_head').select('id').orderBy('id').execute()).map(
      (h) => h.id,
    );
    expect(lanes).toEqual(ctx.dialect === 'postgres' ? [1, 3] : [1]);
    await ctx.db.deleteFrom('audit_events').where('seq', '>', AUDIT_LANE_SPAN).execute();
    await ctx.db.deleteFrom('audit_head').where('id', '=', 3).execute();
    // The patient pages, the dashboard and the stop link are mounted next to the API.
    const page = await fetch(`${server.url}/p/${'x'.repeat(43)}`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const dashboard = await fetch(`${server.url}/app/`, { redirect: 'manual' });
    expect(dashboard.status).toBeLessThan(500);
    expect(dashboard.status).not.toBe(404);
    const stop = await fetch(`${server.url}/p/${'x'.repeat(43)}/stop`);
    expect(stop.status).toBeLessThan(500);
    await server.stop();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('audit verify: 0 on an intact chain, 1 with the first bad seq once tampered', async () => {
    for (let i = 0; i < 3; i++) {
      await appendAuditEvent(ctx.db, testEvent(i));
    }
    const ok = captureIo(env);
    expect(await auditCommand(['verify'], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/audit chain OK: \d+ events/);
    const target = await ctx.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'test.1')
      .executeTakeFirstOrThrow();
    await sql`update audit_events set action = 'test.tampered' where seq = ${target.seq}`.execute(
      ctx.db,
    );
    const bad = captureIo(env);
    expect(await auditCommand(['verify'], bad.io)).toBe(1);
    expect(bad.out()).toContain(`BROKEN at seq ${Number(target.seq)}`);
  });

  it('audit checkpoint prints a signed head; verify --checkpoint names a cut tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-checkpoint-'));
    try {
      // Start from an intact chain (the test before tampered one row).
      await emptyAuditLog(ctx.db);
      for (let i = 0; i < 3; i++) {
        await appendAuditEvent(ctx.db, testEvent(i));
      }
      const cp = captureIo(env);
      expect(await auditCommand(['checkpoint'], cp.io)).toBe(0);
      expect(JSON.parse(cp.out())).toMatchObject({ type: 'needlecare.audit.checkpoint', seq: 3 });
      const file = join(dir, 'checkpoints.jsonl');
      writeFileSync(file, cp.out());
      const ok = captureIo(env);
      expect(await auditCommand(['verify', '--checkpoint', file], ok.io)).toBe(0);
      expect(ok.out()).toContain('1 checkpoint(s) hold');

      // Cut the last event and move the head back: the chain alone still verifies.
      await cutAuditLaneBack(ctx.db, 1, 2);
      expect(await auditCommand(['verify'], captureIo(env).io)).toBe(0);
      const cut = captureIo(env);
      expect(await auditCommand(['verify', '--checkpoint', file], cut.io)).toBe(1);
      expect(cut.out()).toContain('BROKEN at seq 3: checkpoint-truncation');

      const garbled = join(dir, 'bad.jsonl');
      writeFileSync(garbled, '{"type":"something else"}\n');
      const bad = captureIo(env);
      expect(await auditCommand(['verify', '--checkpoint', garbled], bad.io)).toBe(2);
      expect(bad.err()).toContain('line 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audit checkpoint prints a line per lane; verify counts the lanes and names one cut back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-checkpoint-'));
    const other = ctx.openAnother();
    try {
      await emptyAuditLog(ctx.db);
      await openAuditLane(other, 4);
      for (const [db, i] of [
        [ctx.db, 0],
        [other, 1],
        [other, 2],
      ] as const) {
        await appendAuditEvent(db, testEvent(i));
      }
      const cp = captureIo(env);
      expect(await auditCommand(['checkpoint'], cp.io)).toBe(0);
      const lines = cp.out().trim().split('\n');
      const lane4 = 3 * AUDIT_LANE_SPAN;
      expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, lane4 + 2]);
      const file = join(dir, 'checkpoints.jsonl');
      writeFileSync(file, cp.out());
      const ok = captureIo(env);
      expect(await auditCommand(['verify', '--checkpoint', file], ok.io)).toBe(0);
      expect(ok.out()).toContain(
        'audit chain OK: 3 events verified in 2 lanes, 2 checkpoint(s) hold',
      );

      // Lane 4 cut back by one event, its head with it.
      await cutAuditLaneBack(ctx.db, 4, lane4 + 1);
      const cut = captureIo(env);
      expect(await auditCommand(['verify', '--checkpoint', file], cut.io)).toBe(1);
      expect(cut.out()).toContain(
        `BROKEN at seq ${lane4 + 2}: checkpoint-truncation: lane 4 ends at seq ${lane4 + 1}`,
      );
    } finally {
      await ctx.db.deleteFrom('audit_events').where('seq', '>', AUDIT_LANE_SPAN).execute();
      await ctx.db.deleteFrom('audit_head').where('id', '<>', 1).execute();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audit verify without the audit key on PostgreSQL, or with a bad key, exits 2 naming it', async () => {
    const noKey = captureIo({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(await auditCommand(['verify'], noKey.io)).toBe(2);
    expect(noKey.err()).toContain('NEEDLECARE_AUDIT_KEY');
    const badKey = captureIo({ ...env, NEEDLECARE_AUDIT_KEY: 'short' });
    expect(await auditCommand(['verify'], badKey.io)).toBe(2);
    expect(badKey.err()).toContain('NEEDLECARE_AUDIT_KEY: must be 32 random bytes');
  });

  it('production events queue reminders and alert delivery in the write transaction', async () => {
    const config = testConfig({ sessionIdleMinutes: 60 * 24 * 30, sessionTtlHours: 24 * 30 });
    const clock = manualClock('2026-11-25T09:00:00.000Z');
    const app = await buildApp({
      config,
      db: ctx.db,
      clock,
      logger: createLogger('silent'),
      events: outboxEvents(config),
    });
    const clinic = await seedClinic(ctx.db, 'Outbox clinic');
    const browser = await signIn(app, clinic.practitionerEmail);
    const s = await createSession(app, browser);
    const kinds = async () =>
      await ctx.db
        .selectFrom('outbox')
        .select(['kind', 'status', 'dedupe_key'])
        .where('clinic_id', '=', clinic.clinicId)
        .execute();
    const reminders = (await kinds()).filter(
      (r) => r.kind === 'reminder.email' && r.dedupe_key.includes(s.sessionId),
    );
    expect(reminders.length).toBe(5);
    const checkIn = await app.inject({
      method: 'POST',
      url: `/api/v1/p/${s.token}/check-ins`,
      payload: { soreness: 2, symptoms: ['fever'] },
    });
    expect(checkIn.statusCode).toBe(201);
    expect((await kinds()).some((r) => r.kind === 'alert.email')).toBe(true);
    clock.set('2026-11-26T12:00:00.000Z');
    const reissue = await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${s.sessionId}/link`,
      headers: browser.headers(),
    });
    expect(reissue.statusCode).toBe(201);
    const pending = (await kinds()).filter(
      (r) =>
        r.kind === 'reminder.email' && r.dedupe_key.includes(s.sessionId) && r.status === 'pending',
    );
    // +48 h, +72 h and +168 h are still ahead: queued again with the new link.
    expect(pending.length).toBe(3);
    await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${s.sessionId}/link/revoke`,
      headers: browser.headers(),
    });
    const after = (await kinds()).filter(
      (r) => r.kind === 'reminder.email' && r.dedupe_key.includes(s.sessionId),
    );
    expect(after.every((r) => r.status !== 'pending')).toBe(true);
    await app.close();
  });
});
