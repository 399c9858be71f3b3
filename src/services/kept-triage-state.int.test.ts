import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { type LinkSession, practitionerOf, recordLinkSession } from '../../test/link-sessions.ts';
import { watchPgStatements } from '../../test/pg-round-trips.ts';
import { makeTestApp, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import { triage } from '../clinical/triage.ts';
import { hasRedFlag, SYMPTOM_CODES, type SymptomCode } from '../clinical/types.ts';
import { acknowledgeAlert } from '../store/alerts.repository.ts';
import { listCheckInsForSession } from '../store/checkins.repository.ts';
import { setClinicSuspended } from '../store/clinics.repository.ts';
import type { Db } from '../store/db.ts';
import { revokeLink } from '../store/links.repository.ts';
import type { StaffActor } from './actors.ts';
import type { ManualClock } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { type CheckInResponse, keptTriageStateUses, submitCheckIn } from './submit-check-in.ts';

const base = { ip: '127.0.0.1', requestId: 'kept-test' } as const;

/**
 * Kept triage state (decisions 1461, 1469): a session's next check-in in the same process reads
 * nothing before it writes, and a change any other writer made to what decides its triage
 * sends it back to a fresh read before anything of it commits. On PostgreSQL the session's
 * version shows the change; on SQLite any write at all since the last kept group does.
 */
describeEachDialect('kept triage state', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let deps: ServiceDeps;
  let clinic: SeededClinic;
  let staff: StaffActor;
  /** Another process on the same database: its own handle, queue and kept state. */
  let elsewhere: ServiceDeps;

  beforeAll(async () => {
    ({ app, clock } = await makeTestApp(ctx.db));
    deps = app.deps;
    clinic = await seedClinic(ctx.db, 'Kept Clinic');
    staff = practitionerOf(clinic, base);
    elsewhere = Object.assign({}, deps, { db: ctx.openAnother() });
  });

  function session(): Promise<LinkSession> {
    return recordLinkSession(
      deps,
      clock,
      staff,
      { displayName: 'Kept Patient', phone: '+44 7700 900000' },
      base,
    );
  }

  function checkIn(
    s: LinkSession,
    soreness: number | null,
    symptoms: string[] = [],
    on: ServiceDeps = deps,
  ): Promise<CheckInResponse> {
    return submitCheckIn(on, s.actor, {
      link: s.link,
      input: { soreness, symptoms: symptoms as never },
      source: 'patient',
      idempotencyKey: undefined,
    });
  }

  async function versionOf(sessionId: string): Promise<number> {
    const { rows } = await sql<{ v: number }>`
      select triage_version as v from needling_sessions where id = ${sessionId}`.execute(ctx.db);
    return Number(rows[0]?.v);
  }

  /**
   * The check-in's statements (PostgreSQL), and whether it read its session: on PostgreSQL the
   * lock of the read path; on SQLite a group that did not count a use of kept state.
   */
  async function watched<T>(
    work: () => Promise<T>,
  ): Promise<{ value: T; texts: string[]; roundTrips: number; read: boolean }> {
    const sent = watchPgStatements();
    const usesBefore = keptTriageStateUses(deps.db);
    try {
      const value = await work();
      const texts = sent.texts();
      const read =
        ctx.dialect === 'postgres'
          ? texts.some((t) => /for update of "s"/.test(t))
          : keptTriageStateUses(deps.db) === usesBefore;
      return { value, texts, roundTrips: sent.roundTrips(), read };
    } finally {
      sent.restore();
    }
  }

  /**
   * Check-ins of `s` until one uses its kept state: past the pauses an earlier test's stale
   * state or wrong audit guess left on this handle (each group counts them down).
   */
  async function untilKept(s: LinkSession, soreness: number) {
    for (let i = 0; i < 40; i += 1) {
      const next = await watched(() => checkIn(s, soreness));
      if (!next.read) return next;
    }
    throw new Error('the kept state was never used');
  }

  it('on PostgreSQL a session checked in before reads nothing: its opening, rows, events and commit in one round trip', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite reads in-process and keeps nothing
    const s = await session();
    const first = await watched(() => checkIn(s, 2));
    expect(first.read).toBe(true);
    expect(await versionOf(s.link.sessionId)).toBeGreaterThan(0);
    const before = await versionOf(s.link.sessionId);
    const next = await watched(() => checkIn(s, 3));
    // The first test on a fresh handle: no pause left by another.
    expect(next.value.status).toBe(201);
    expect(next.texts, JSON.stringify(next.texts)).toHaveLength(4);
    expect(next.texts[0]).toMatch(/^begin; .*set local needlecare\.triage_versions = 'moved'/);
    expect(next.texts[1]).toMatch(/"moved_sessions" as \(update "needling_sessions"/);
    // The events and the commit go behind the rows without waiting for them (decision 1470).
    expect(next.texts[2]).toMatch(/insert into "audit_events"/);
    expect(next.texts[3]).toBe('commit');
    expect(next.roundTrips).toBe(1);
    // Moved once by the commit, not again by the triggers on its own rows.
    expect(await versionOf(s.link.sessionId)).toBe(before + 1);
  });

  it('on SQLite a session checked in before reads nothing while nothing else was written', async () => {
    if (ctx.dialect !== 'sqlite') return;
    const s = await session();
    const other = await session();
    const first = await watched(() => checkIn(s, 2));
    expect(first.read).toBe(true);
    const next = await watched(() => checkIn(s, 3));
    expect(next.value.status).toBe(201);
    expect(next.read).toBe(false);
    expect(next.value.body.assessment.disposition).toBe('self_care');
    // A second session's first check-in reads; the first session's kept state survives it.
    expect((await watched(() => checkIn(other, 2))).read).toBe(true);
    expect((await watched(() => checkIn(s, 3))).read).toBe(false);
    expect((await watched(() => checkIn(other, 3))).read).toBe(false);
    // Any write since, of anything, sends the next check-in back to a read.
    await sql`update clinics set name = name where id = ${clinic.clinicId}`.execute(deps.db);
    expect((await watched(() => checkIn(s, 3))).read).toBe(true);
    expect((await watched(() => checkIn(s, 3))).read).toBe(false);
  });

  it('a red flag another process checked in decides the next check-in here, not the state kept before it', async () => {
    const s = await session();
    expect((await checkIn(s, 2)).body.assessment.disposition).toBe('self_care');
    // Another process: chest pain, an emergency alert.
    const red = await checkIn(s, null, ['chest_pain'], elsewhere);
    expect(red.body.assessment.disposition).toBe('emergency');
    // Back here, the same hour: the red flag is among the reports that decide (RULES.md), so a
    // mild report is still an emergency, and raises the open alert rather than opening another.
    const next = await watched(() => checkIn(s, 2));
    expect(next.value.body.assessment.disposition).toBe('emergency');
    expect(next.value.body.openAlert?.id).toBe(red.body.openAlert?.id);
    if (ctx.dialect === 'postgres') {
      // Its kept state was stale: the statement failed, nothing of it committed, and the group
      // ran again from a fresh read.
      expect(next.read).toBe(true);
      expect(next.texts.filter((t) => t === 'rollback').length).toBeGreaterThan(0);
    }
    const rows = await ctx.db
      .selectFrom('check_ins')
      .select('id')
      .where('session_id', '=', s.link.sessionId)
      .execute();
    expect(rows).toHaveLength(3);
  });

  it('an alert acknowledged, a site edited or the session changed, here or elsewhere: the next check-in reads again', async () => {
    const changes: ((sessionId: string, db: Db) => Promise<unknown>)[] = [
      async (sessionId, db) => {
        const alert = await db
          .selectFrom('alerts')
          .select('id')
          .where('session_id', '=', sessionId)
          .executeTakeFirstOrThrow();
        expect(
          await acknowledgeAlert(db, clinic.clinicId, alert.id, clinic.practitionerId, T0),
        ).toBe(true);
      },
      (sessionId, db) =>
        sql`update session_sites set side = 'left' where session_id = ${sessionId}`.execute(db),
      (sessionId, db) =>
        sql`update needling_sessions set notes = 'edited' where id = ${sessionId}`.execute(db),
    ];
    for (const change of changes) {
      for (const on of [elsewhere.db, deps.db]) {
        const s = await session();
        // Above self-care, so that the session has an alert to acknowledge.
        await untilKept(s, 8);
        const before = ctx.dialect === 'postgres' ? await versionOf(s.link.sessionId) : 0;
        await change(s.link.sessionId, on);
        if (ctx.dialect === 'postgres')
          expect(await versionOf(s.link.sessionId)).toBeGreaterThan(before);
        const next = await watched(() => checkIn(s, 8));
        expect(next.value.status).toBe(201);
        expect(next.read).toBe(true);
      }
    }
  });

  it('a link revoked or a clinic suspended, here or elsewhere, refuses the next check-in here', async () => {
    for (const on of [elsewhere.db, deps.db]) {
      const revoked = await session();
      await checkIn(revoked, 2);
      await untilKept(revoked, 2);
      expect(await revokeLink(on, clinic.clinicId, revoked.link.id, new Date(Date.parse(T0)))).toBe(
        true,
      );
      await expect(checkIn(revoked, 2)).rejects.toMatchObject({ code: 'link_gone' });
    }

    for (const [i, on] of [elsewhere.db, deps.db].entries()) {
      const other = await seedClinic(ctx.db, `Kept Clinic ${i + 2}`);
      const s = await recordLinkSession(
        deps,
        clock,
        practitionerOf(other, base),
        { displayName: 'Kept Patient Two', phone: '+44 7700 900001' },
        base,
      );
      await checkIn(s, 2);
      await untilKept(s, 2);
      await setClinicSuspended(on, other.clinicId, T0);
      await expect(checkIn(s, 2)).rejects.toMatchObject({ code: 'link_gone' });
    }
  });

  it('two processes checking in the same sessions at once, with staff writes between: each check-in is triaged on every report stored before it', async () => {
    const sessions = [await session(), await session(), await session()];
    // One clock for both processes, a minute on at every call: each check-in its own instant,
    // taken as it is triaged, so the order of instants is the order the reports decide in.
    let t = Date.parse(T0);
    const clock = {
      now: () => {
        t += 60_000;
        return new Date(t);
      },
    };
    const processes = [Object.assign({}, deps, { clock }), Object.assign({}, elsewhere, { clock })];
    let seed = 20261206;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * n);
    };
    const report = (): { soreness: number | null; symptoms: SymptomCode[] } => {
      const symptoms: SymptomCode[] =
        random(4) === 0 ? [SYMPTOM_CODES[random(SYMPTOM_CODES.length)] as SymptomCode] : [];
      const soreness = hasRedFlag(symptoms) && random(2) === 0 ? null : random(11);
      return { soreness, symptoms };
    };
    const uses = () => processes.reduce((n, p) => n + keptTriageStateUses(p.db), 0);
    const usesBefore = uses();
    const rounds = 24;
    for (let round = 0; round < rounds; round += 1) {
      const work: Promise<unknown>[] = [];
      // A round of this process, of the other, or of both at once: a process's kept state is
      // used after a round of its own, and must be dropped after one of the other's.
      const who = random(3);
      for (let k = 0; k < 6; k += 1) {
        const s = sessions[random(sessions.length)] as LinkSession;
        const on = processes[who < 2 ? who : random(2)] as ServiceDeps;
        const input = report();
        work.push(
          submitCheckIn(on, s.actor, {
            link: s.link,
            input: input as never,
            source: 'patient',
            idempotencyKey: undefined,
          }),
        );
      }
      // Now and then a practitioner acknowledges an open alert, through either process.
      if (random(4) === 0) {
        const on = (processes[random(2)] as ServiceDeps).db;
        work.push(
          (async () => {
            const open = await on
              .selectFrom('alerts')
              .select('id')
              .where('clinic_id', '=', clinic.clinicId)
              .where('status', '=', 'open')
              .executeTakeFirst();
            if (open !== undefined)
              await acknowledgeAlert(on, clinic.clinicId, open.id, clinic.practitionerId, T0);
          })(),
        );
      }
      await Promise.all(work);
    }
    // SQLite: some groups ran on kept state, so the run tested it (PostgreSQL counts none here).
    if (ctx.dialect === 'sqlite') expect(uses()).toBeGreaterThan(usesBefore);
    let checked = 0;
    for (const s of sessions) {
      const stored = await listCheckInsForSession(ctx.db, s.link.sessionId);
      stored.forEach((checkIn, k) => {
        const reports = stored.slice(0, k + 1).map((c) => ({
          hoursAfter: c.hoursAfter,
          soreness: c.soreness,
          symptoms: [...c.symptoms],
        }));
        const expected = triage(
          { session: { sites: [{ muscle: 'tibialis-anterior', side: 'right' }] }, reports },
          RULEBOOK_V1,
        );
        expect(
          [checkIn.assessment?.disposition, checkIn.assessment?.rules],
          `check-in ${k} of session ${s.link.sessionId}`,
        ).toEqual([expected.disposition, [...expected.ruleIds]]);
        checked += 1;
      });
    }
    expect(checked).toBe(rounds * 6);
  });
});
