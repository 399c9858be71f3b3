import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/dialects.ts';
import { seedSessionWithReminders } from '../../jobs/test-support.ts';
import {
  AUDIT_LANES,
  auditLaneOfSeq,
  readAuditHeads,
  verifyAuditChain,
} from '../../store/audit.repository.ts';
import { TEST_KEY_ENV } from '../../store/test-keys.ts';
import type { CliIo } from '../io.ts';
import { runWorkerCommand } from './worker.ts';

function io(env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
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
  return { stdin: new PassThrough(), stdout, stderr, env, out: () => out, err: () => err };
}

describe('needlecare worker: configuration', () => {
  it('names every bad variable and exits 2', async () => {
    const t = io({
      SMTP_URL: 'http://mail',
      SMS_GATEWAY_URL: 'https://sms.example/send',
      WORKER_POLL_MS: 'soon',
    });
    expect(await runWorkerCommand(['--once'], t)).toBe(2);
    expect(t.err()).toContain('SMTP_URL: must be a URL starting with smtp:// or smtps://');
    expect(t.err()).toContain('SMS_GATEWAY_TOKEN: required when SMS_GATEWAY_URL is set');
    expect(t.err()).toContain('WORKER_POLL_MS');
    expect(t.out()).toBe('');
  });

  it('rejects unknown options', async () => {
    const t = io({});
    expect(await runWorkerCommand(['--forever'], t)).toBe(2);
  });
});

describeEachDialect('needlecare worker', (ctx) => {
  const received: string[] = [];
  let server: SMTPServer;
  let smtpUrl = '';

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function env(): Record<string, string> {
    const base: Record<string, string> = {
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'https://care.example.test',
      LOG_LEVEL: 'info',
      WORKER_POLL_MS: '100',
      ...TEST_KEY_ENV,
    };
    if (ctx.config.databaseUrl) base.DATABASE_URL = ctx.config.databaseUrl;
    else base.NEEDLECARE_DB = ctx.config.sqlitePath ?? '';
    return base;
  }

  it('--once delivers what is due and exits 0; logs hold no patient data', async () => {
    received.length = 0;
    const performedAt = new Date(Date.now() - 5 * 3_600_000).toISOString();
    await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: false,
      email: 'once@example.test',
    });
    const t = io(env());
    expect(await runWorkerCommand(['--once'], t)).toBe(0);
    expect(received).toContain('once@example.test');
    expect(t.out()).toContain('"msg":"worker: done"');
    expect(t.out()).not.toContain('once@example.test');
    expect(t.out()).not.toContain('/p/');
  });

  it('with PORT=8080 and no PUBLIC_URL, links in what it queues point at :8080 like the server', async () => {
    const performedAt = new Date(Date.now() - 10 * 3_600_000).toISOString();
    const seeded = await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: true,
      email: null,
    });
    const { PUBLIC_URL: _unused, ...rest } = env();
    const t = io({ ...rest, PORT: '8080' });
    expect(await runWorkerCommand(['--once'], t)).toBe(0);
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['kind', 'payload_json'])
      .where('clinic_id', '=', seeded.clinic.id)
      .where('kind', '=', 'alert.email')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const payload = JSON.parse(row.payload_json) as { dashboardUrl: string };
      expect(payload.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:8080\/app#alert-/);
    }
  });

  it('appends its audit events to the last lane, or NEEDLECARE_AUDIT_LANE, on PostgreSQL; to lane 1 on SQLite', async () => {
    // Each run: a thoracic session whose early check-ins went unanswered, so the worker raises
    // the alert for the missed check-in and audits it (`alert.create`).
    const lanesOfRun = async (extra: Record<string, string>): Promise<number[]> => {
      const seeded = await seedSessionWithReminders(ctx.db, {
        performedAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
        thoracic: true,
        email: null,
      });
      expect(await runWorkerCommand(['--once'], io({ ...env(), ...extra }))).toBe(0);
      const created = await ctx.db
        .selectFrom('audit_events')
        .select('seq')
        .where('clinic_id', '=', seeded.clinic.id)
        .where('action', '=', 'alert.create')
        .execute();
      expect(created.length).toBeGreaterThan(0);
      return [...new Set(created.map((event) => auditLaneOfSeq(Number(event.seq))))];
    };
    const postgres = ctx.dialect === 'postgres';
    // Unset: the last lane, which no server process takes unless told to.
    expect(await lanesOfRun({})).toEqual([postgres ? AUDIT_LANES : 1]);
    expect(await lanesOfRun({ NEEDLECARE_AUDIT_LANE: '6' })).toEqual([postgres ? 6 : 1]);
    const heads = await readAuditHeads(ctx.db);
    expect(heads.map((h) => h.lane)).toEqual(postgres ? [1, 6, AUDIT_LANES] : [1]);
    const report = await verifyAuditChain(ctx.db);
    expect(report).toMatchObject({ ok: true });
    expect(report.lanes).toBe(postgres ? 3 : undefined);
  });

  it('runs until told to stop (SIGTERM path), finishing cleanly', async () => {
    received.length = 0;
    const performedAt = new Date(Date.now() - 5 * 3_600_000).toISOString();
    await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: false,
      email: 'loop@example.test',
    });
    const t = io(env());
    const stop = new AbortController();
    const running = runWorkerCommand([], t, { signal: stop.signal });
    for (let i = 0; i < 100 && !received.includes('loop@example.test'); i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received).toContain('loop@example.test');
    stop.abort();
    expect(await running).toBe(0);
    expect(t.out()).toContain('"msg":"worker: stopping"');
  });
});
