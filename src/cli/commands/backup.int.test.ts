import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKeys } from '../../../src/store/keyring.ts';
import { TEST_KEY_ENV, TEST_KEYS } from '../../../src/store/test-keys.ts';
import { BIN, runCli } from '../../../test/cli-harness.ts';
import { buildApp } from '../../api/app.ts';
import { createLogger } from '../../api/logger.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { systemClock } from '../../services/clock.ts';
import { verifyAuditChain } from '../../store/audit.repository.ts';
import { createDb } from '../../store/db.ts';
import { migrateToLatest } from '../../store/migrations.ts';

/**
 * Backup is SQLite's online backup API, so it is tested on SQLite only (PostgreSQL's are
 * pg_dump/pg_restore). A real `needlecare serve` takes a burst of check-ins; a backup is taken
 * in the middle of it; the restored copy holds every check-in acknowledged before the backup
 * began, and its audit chain verifies.
 */
describe('backup and restore of a live SQLite database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nc-backup-'));
  const live = join(dir, 'live.db');
  const tokens: string[] = [];
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const db = withKeys(createDb({ databaseUrl: undefined, sqlitePath: live }), TEST_KEYS);
    await migrateToLatest(db);
    const app = await buildApp({
      config: testConfig(),
      db,
      clock: systemClock(),
      logger: createLogger('silent'),
    });
    await app.ready();
    const clinic = await seedClinic(db, 'Backup Clinic');
    const prac = await signIn(app, clinic.practitionerEmail);
    for (let i = 0; i < 6; i++) {
      const s = await createSession(app, prac, {
        performedAt: new Date(Date.now() - 3_600_000).toISOString(),
      });
      tokens.push(s.token);
    }
    await app.close();
    await db.destroy();
  });

  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(): Promise<{ proc: ChildProcess; url: string }> {
    const proc = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: '0',
        COOKIE_SECURE: 'false',
        LOG_LEVEL: 'silent',
        ...TEST_KEY_ENV,
        NEEDLECARE_DB: live,
      },
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

  it('keeps every check-in acknowledged before the backup began', async () => {
    const { proc, url } = await serve();
    const ackedBeforeBackup = new Set<string>();
    const acked = new Set<string>();
    let backupStarted = false;
    let sent = 0;
    const TOTAL = 240;
    const out = join(dir, 'backup.db');
    let backup: Promise<{ code: number; stderr: string }> | undefined;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < TOTAL) {
          const i = sent++;
          const res = await fetch(`${url}/api/v1/p/${tokens[i % tokens.length]}/check-ins`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `b-${i}` },
            body: JSON.stringify({ soreness: i % 11, symptoms: [] }),
          });
          const body = (await res.json()) as { checkIn?: { id: string } };
          if (res.status === 201 && body.checkIn !== undefined) {
            acked.add(body.checkIn.id);
            if (!backupStarted) ackedBeforeBackup.add(body.checkIn.id);
          }
          if (!backupStarted && acked.size >= 80) {
            backupStarted = true;
            backup = runCli(['backup', '--out', out], '', { ...TEST_KEY_ENV, NEEDLECARE_DB: live });
          }
        }
      }),
    );
    const result = await backup;
    expect(result?.code, result?.stderr).toBe(0);
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.once('exit', resolve));
    expect(ackedBeforeBackup.size).toBeGreaterThanOrEqual(80);

    // Restoring refuses to overwrite data without --force, and a file that is not a backup.
    const restored = join(dir, 'restored.db');
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just some text to fill a page'.repeat(100));
    const refused = await runCli(['restore', '--from', junk], '', {
      ...TEST_KEY_ENV,
      NEEDLECARE_DB: restored,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a SQLite database|damaged/);
    expect(existsSync(restored)).toBe(false);
    const ok = await runCli(['restore', '--from', out], '', {
      ...TEST_KEY_ENV,
      NEEDLECARE_DB: restored,
    });
    expect(ok.code, ok.stderr).toBe(0);
    const again = await runCli(['restore', '--from', out], '', {
      ...TEST_KEY_ENV,
      NEEDLECARE_DB: restored,
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(
      (
        await runCli(['restore', '--from', out, '--force'], '', {
          ...TEST_KEY_ENV,
          NEEDLECARE_DB: restored,
        })
      ).code,
    ).toBe(0);

    const db = withKeys(createDb({ databaseUrl: undefined, sqlitePath: restored }), TEST_KEYS);
    try {
      const ids = new Set(
        (await db.selectFrom('check_ins').select('id').execute()).map((r) => r.id),
      );
      for (const id of ackedBeforeBackup) expect(ids.has(id), `check-in ${id}`).toBe(true);
      for (const id of ids) expect(acked.has(id)).toBe(true);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 120_000);

  it('answers bad arguments with exit 2 and one line', async () => {
    const none = await runCli(['backup'], '', { ...TEST_KEY_ENV, NEEDLECARE_DB: live });
    expect(none).toMatchObject({ code: 2 });
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(
      (await runCli(['backup', '--bogus'], '', { ...TEST_KEY_ENV, NEEDLECARE_DB: live })).code,
    ).toBe(2);
    const pg = await runCli(['backup', '--out', join(dir, 'x.db')], '', {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain('pg_dump');
    expect((await runCli(['restore'], '', { ...TEST_KEY_ENV, NEEDLECARE_DB: live })).code).toBe(2);
  });
});
