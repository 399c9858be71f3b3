import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN } from '../../../test/cli-harness.ts';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { systemClock } from '../../services/clock.ts';
import { verifyAuditChain } from '../../store/audit.repository.ts';
import { TEST_KEY_ENV } from '../../store/test-keys.ts';

/**
 * "An acknowledged write survives a crash": a real `needlecare serve` process takes a burst of
 * check-ins and is killed with SIGKILL mid-burst. After a restart, every check-in that was
 * acknowledged (201) is stored, and retrying every request with its Idempotency-Key stores
 * each check-in exactly once.
 */
describeEachDialect('crash during a burst of check-ins', (ctx) => {
  const tokens: string[] = [];
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: systemClock(),
      logger: createLogger('silent'),
    });
    await app.ready();
    const clinic = await seedClinic(ctx.db, 'Crash Clinic');
    const prac = await signIn(app, clinic.practitionerEmail);
    for (let i = 0; i < 8; i++) {
      const s = await createSession(app, prac, {
        performedAt: new Date(Date.now() - 3_600_000).toISOString(),
      });
      tokens.push(s.token);
    }
    await app.close();
  });

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  async function serve(): Promise<{ proc: ChildProcess; url: string }> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'silent',
      ...TEST_KEY_ENV,
      // A burst from one address: the patient-link limits are not what this measures.
      PATIENT_LINK_MAX: '100000',
      PATIENT_IP_MAX: '100000',
      ...(ctx.config.databaseUrl !== undefined
        ? { DATABASE_URL: ctx.config.databaseUrl }
        : { NEEDLECARE_DB: ctx.config.sqlitePath }),
    };
    const proc = spawn(process.execPath, [BIN, 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const found = /listening on (http:\/\/[^\s]+)/.exec(line);
        if (found?.[1] !== undefined) resolve(found[1]);
      });
      proc.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    return { proc, url };
  }

  const bodyOf = (i: number) => ({ soreness: i % 11, symptoms: i % 7 === 0 ? ['bruising'] : [] });

  async function post(url: string, i: number): Promise<{ status: number; id?: string }> {
    const res = await fetch(`${url}/api/v1/p/${tokens[i % tokens.length]}/check-ins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `crash-${i}` },
      body: JSON.stringify(bodyOf(i)),
    });
    const json = (await res.json()) as { checkIn?: { id: string } };
    return json.checkIn === undefined
      ? { status: res.status }
      : { status: res.status, id: json.checkIn.id };
  }

  it('keeps every acknowledged check-in, exactly once', async () => {
    const first = await serve();
    const acked = new Map<number, string>();
    let sent = 0;
    const TOTAL = 400;
    const exited = new Promise((resolve) => first.proc.once('exit', resolve));
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < TOTAL) {
          const i = sent++;
          try {
            const r = await post(first.url, i);
            if (r.status === 201 && r.id !== undefined) acked.set(i, r.id);
          } catch {
            // The server died under this request: it was never acknowledged.
          }
          if (acked.size >= 60 && first.proc.exitCode === null && first.proc.signalCode === null)
            first.proc.kill('SIGKILL');
        }
      }),
    );
    await exited;
    expect(acked.size).toBeGreaterThanOrEqual(60);
    expect(sent).toBe(TOTAL);

    const second = await serve();
    for (let i = 0; i < TOTAL; i++) {
      const r = await post(second.url, i);
      expect(r.status, `retry of request ${i}`).toBe(201);
      const before = acked.get(i);
      if (before !== undefined) expect(r.id, `acknowledged check-in ${i} replayed`).toBe(before);
    }
    second.proc.kill('SIGTERM');
    await new Promise((resolve) => second.proc.once('exit', resolve));

    const rows = await ctx.db.selectFrom('check_ins').select(['id']).execute();
    const ids = new Set(rows.map((r) => r.id));
    expect(rows).toHaveLength(TOTAL);
    for (const id of acked.values()) expect(ids.has(id)).toBe(true);
    const keys = await ctx.db
      .selectFrom('idempotency_keys')
      .select(['key'])
      .where('key', 'like', 'crash-%')
      .execute();
    expect(keys).toHaveLength(TOTAL);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  }, 120_000);
});
