import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN } from '../../../test/cli-harness.ts';
import { describeEachDialect } from '../../../test/dialects.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { systemClock } from '../../services/clock.ts';
import { auditLaneBase, readAuditHeads, verifyAuditChain } from '../../store/audit.repository.ts';
import { TEST_KEY_ENV } from '../../store/test-keys.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `needlecare serve --processes 2`: two server processes on one port (node:cluster). Check-ins
 * posted concurrently while one process is killed with SIGKILL: the primary starts a
 * replacement, every acknowledged check-in is stored exactly once (retries with the same
 * Idempotency-Key replay it), the audit chain still verifies, and SIGTERM stops them all.
 */
describeEachDialect('serve --processes 2', (ctx) => {
  const tokens: string[] = [];
  let primary: ChildProcess | undefined;

  beforeAll(async () => {
    const app = await buildApp({
      config: testConfig(),
      db: ctx.db,
      clock: systemClock(),
      logger: createLogger('silent'),
    });
    await app.ready();
    const clinic = await seedClinic(ctx.db, 'Cluster Clinic');
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
    primary?.kill('SIGKILL');
  });

  const bodyOf = (i: number) => ({ soreness: i % 11, symptoms: i % 5 === 0 ? ['bruising'] : [] });

  async function post(url: string, i: number): Promise<{ status: number; id?: string }> {
    const res = await fetch(`${url}/api/v1/p/${tokens[i % tokens.length]}/check-ins`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `cluster-${i}`,
      },
      // A request caught in the killed process may never be answered: not acknowledged.
      signal: AbortSignal.timeout(15_000),
      body: JSON.stringify(bodyOf(i)),
    });
    const json = (await res.json()) as { checkIn?: { id: string } };
    return json.checkIn === undefined
      ? { status: res.status }
      : { status: res.status, id: json.checkIn.id };
  }

  it('keeps serving through a killed process, stores every acknowledged check-in once, stops on SIGTERM', async () => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--processes', '2', '--worker'], {
      env: {
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary = proc;
    const lines: string[] = [];
    const seen = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          for (const line of lines) {
            const m = pattern.exec(line);
            if (m !== null) return resolve(m);
          }
          return false;
        };
        if (check() !== false) return;
        const timer = setInterval(() => {
          if (check() !== false) clearInterval(timer);
        }, 20);
        proc.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`serve exited (${code}): ${lines.join('\n')}`));
        });
      });
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (l) =>
      lines.push(l),
    );
    createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (l) =>
      lines.push(l),
    );

    const started = await seen(
      /listening on (http:\/\/\S+) with 2 server processes \(pids (\d+), (\d+)\)/,
    );
    const url = started[1] as string;
    const pids = [Number(started[2]), Number(started[3])];
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const acked = new Map<number, string>();
    const TOTAL = 120;
    let sent = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < TOTAL) {
          const i = sent++;
          try {
            const r = await post(url, i);
            if (r.status === 201 && r.id !== undefined) acked.set(i, r.id);
          } catch {
            // The process serving this request was killed: it was never acknowledged.
          }
          if (acked.size >= 20 && !killed) {
            killed = true;
            process.kill(pids[0] as number, 'SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(20);

    // The primary replaces the killed process; the cluster keeps answering.
    const replaced = await seen(/replacement server process (\d+) listening/);
    const replacement = Number(replaced[1]);
    expect(pids).not.toContain(replacement);
    expect(alive(pids[0] as number)).toBe(false);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Every request again with its key: acknowledged ones replay, the others are stored now.
    for (let i = 0; i < TOTAL; i++) {
      const r = await post(url, i);
      expect(r.status, `retry of request ${i}`).toBe(201);
      const before = acked.get(i);
      if (before !== undefined) expect(r.id, `acknowledged check-in ${i} replayed`).toBe(before);
    }

    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of [pids[1] as number, replacement])
      expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(lines.join('\n')).toMatch(/SIGTERM, shutting down 2 server processes/);

    const rows = await ctx.db.selectFrom('check_ins').select(['id']).execute();
    const ids = new Set(rows.map((r) => r.id));
    expect(rows).toHaveLength(TOTAL);
    for (const id of acked.values()) expect(ids.has(id)).toBe(true);
    const keys = await ctx.db
      .selectFrom('idempotency_keys')
      .select(['key'])
      .where('key', 'like', 'cluster-%')
      .execute();
    expect(keys).toHaveLength(TOTAL);
    // On PostgreSQL each process appended to a lane of its own (decision 1473), the
    // replacement to the lane of the one it replaced: two lanes, one valid chain each. SQLite's
    // processes all append to lane 1.
    const lanes = ctx.dialect === 'postgres' ? [1, 2] : [1];
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
    const heads = await readAuditHeads(ctx.db);
    expect(heads.map((h) => h.lane)).toEqual(lanes);
    for (const h of heads) expect(h.seq).toBeGreaterThan(auditLaneBase(h.lane));
  }, 240_000);
});
