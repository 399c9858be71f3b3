import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { holdElsewhere as holdElsewhereIn } from '../../test/hold-elsewhere.ts';
import { type LinkSession, practitionerOf, recordLinkSession } from '../../test/link-sessions.ts';
import { watchPgStatements } from '../../test/pg-round-trips.ts';
import { makeTestApp, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { listAlertsForPatient } from '../store/alerts.repository.ts';
import {
  appendAuditEvent,
  GROUPS_WITHOUT_GUESS_AFTER_A_MISS,
  listAuditEvents,
  verifyAuditChain,
} from '../store/audit.repository.ts';
import { listCheckInsForSession } from '../store/checkins.repository.ts';
import type { Db } from '../store/db.ts';
import { groupCommitStats } from '../store/group-commit.ts';
import type { LinkActor, StaffActor } from './actors.ts';
import type { ManualClock } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import type { ActiveLink } from './patient-link.ts';
import { type CheckInResponse, pressEmergencyButton, submitCheckIn } from './submit-check-in.ts';

const base = { ip: '127.0.0.1', requestId: 'group-test' } as const;

/**
 * Check-ins under group commit (decision 1010): concurrent check-ins share one transaction and
 * each still gets exactly the answer, rows, alert and audit events it would get alone.
 */
describeEachDialect('submitCheckIn: concurrent check-ins in one group commit', (ctx) => {
  let app: FastifyInstance;
  let clock: ManualClock;
  let deps: ServiceDeps;
  let clinic: SeededClinic;
  let staff: StaffActor;

  beforeAll(async () => {
    ({ app, clock } = await makeTestApp(ctx.db));
    deps = app.deps;
    clinic = await seedClinic(ctx.db, 'Group Clinic');
    staff = practitionerOf(clinic, base);
  });

  function session(): Promise<LinkSession> {
    return recordLinkSession(
      deps,
      clock,
      staff,
      { displayName: 'Group Patient', phone: '+44 7700 900000' },
      base,
    );
  }

  /** PostgreSQL: another writer runs `work` and holds its locks until released. */
  function holdElsewhere(work: (trx: Db) => Promise<unknown>): Promise<() => Promise<void>> {
    return holdElsewhereIn(ctx, work);
  }

  /**
   * PostgreSQL: another writer appends an audit event and holds the head's lock until released
   * (`holdElsewhere`): a group that read the head before then guesses a head that has moved.
   */
  function moveHeadElsewhere(): Promise<() => Promise<void>> {
    return holdElsewhere((trx) =>
      appendAuditEvent(trx, {
        at: T0,
        actorType: 'system',
        action: 'test.head_mover',
        subjectType: 'test',
      }),
    );
  }

  /** PostgreSQL: another writer takes a session's row lock and holds it (`holdElsewhere`). */
  function lockSessionElsewhere(sessionId: string): Promise<() => Promise<void>> {
    return holdElsewhere((trx) =>
      sql`select id from needling_sessions where id = ${sessionId} for update`.execute(trx),
    );
  }

  /**
   * Check-ins one after the other until this handle guesses the audit head again after any
   * miss an earlier test caused: every group counts the pause down.
   */
  async function pastAnyPause(s: { link: ActiveLink; actor: LinkActor }): Promise<void> {
    for (let i = 0; i <= GROUPS_WITHOUT_GUESS_AFTER_A_MISS; i += 1)
      expect((await checkIn(s, 1)).status).toBe(201);
  }

  function checkIn(
    s: { link: ActiveLink; actor: LinkActor },
    soreness: number,
    symptoms: string[] = [],
    idempotencyKey?: string,
  ): Promise<CheckInResponse> {
    return submitCheckIn(deps, s.actor, {
      link: s.link,
      input: { soreness, symptoms: symptoms as never },
      source: 'patient',
      idempotencyKey,
    });
  }

  it('N concurrent check-ins: one group, each answered with its own check-in, all stored and audited', async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => session()));
    const before = groupCommitStats(ctx.db, 'check-in');
    const answers = await Promise.all(sessions.map((s, i) => checkIn(s, i)));
    const after = groupCommitStats(ctx.db, 'check-in');
    expect(after.groups - before.groups).toBe(1);
    expect(after.items - before.items).toBe(8);
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(201);
      expect(answer.replayed).toBe(false);
      expect(answer.body.checkIn.soreness).toBe(i);
      expect(answer.body.clinic.name).toBe('Group Clinic');
      const stored = await listCheckInsForSession(ctx.db, sessions[i]?.link.sessionId ?? '');
      expect(stored.map((c) => c.id)).toEqual([answer.body.checkIn.id]);
      expect(stored[0]?.assessment?.disposition).toBe(answer.body.assessment.disposition);
    }
    const audited = await listAuditEvents(ctx.db, { subjectType: 'check_in', limit: 100 });
    for (const answer of answers) {
      expect(audited.filter((e) => e.subjectId === answer.body.checkIn.id)).toHaveLength(1);
    }
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('one bad check-in in the group fails alone; its neighbours are stored and answered', async () => {
    const sessions = await Promise.all(Array.from({ length: 5 }, () => session()));
    const bad = sessions[2] as { link: ActiveLink; actor: LinkActor };
    // A link whose session is not this clinic's: not_found inside the transaction.
    const broken = {
      ...bad,
      link: { ...bad.link, sessionId: '00000000-0000-4000-8000-000000000000' },
    };
    const before = groupCommitStats(ctx.db, 'check-in');
    const outcomes = await Promise.allSettled(
      sessions.map((s, i) => (i === 2 ? checkIn(broken, 4) : checkIn(s, 4))),
    );
    expect(groupCommitStats(ctx.db, 'check-in').groups - before.groups).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(outcomes[2]).toMatchObject({ reason: { code: 'not_found' } });
    for (const [i, s] of sessions.entries()) {
      const stored = await listCheckInsForSession(ctx.db, s.link.sessionId);
      expect(stored).toHaveLength(i === 2 ? 0 : 1);
    }
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });

  it('check-ins of one session in one group see each other: one alert, raised, never two', async () => {
    const s = await session();
    const before = groupCommitStats(ctx.db, 'check-in');
    const answers = await Promise.all([
      checkIn(s, 8), // contact the practitioner: opens a routine alert
      checkIn(s, 2, ['fever']), // same day: raises it
      checkIn(s, 1), // lower: leaves it as it is
    ]);
    expect(groupCommitStats(ctx.db, 'check-in').groups - before.groups).toBe(1);
    const alerts = await listAlertsForPatient(ctx.db, clinic.clinicId, s.link.patientId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.severity).toBe('urgent');
    expect(answers[2]?.body.openAlert?.id).toBe(alerts[0]?.id);
    expect(await listCheckInsForSession(ctx.db, s.link.sessionId)).toHaveLength(3);
  });

  it('a group decides each check-in exactly as one-at-a-time would, history included', async () => {
    // The group reads each session's history once and adds its own check-ins to it as it goes
    // (decision 1010 addendum). The soreness rules compare with the previous report, so a check-in
    // that missed an earlier one of its group would be triaged differently (8 after 4 is
    // "pain worsening" only if the 4 is seen). Each call gets its own instant, one second apart,
    // so the order of reports is the order of the calls on both paths.
    const inputs: [number, string[]][] = [
      [2, []],
      [4, []],
      [8, []],
      [3, ['fever']],
      [9, []],
      [1, []],
      [6, ['chest_pain']],
      [2, []],
    ];
    const stepping = (start: string) => {
      let t = Date.parse(start) + 50 * 3_600_000;
      const now = () => {
        t += 1000;
        return new Date(t);
      };
      return { ...deps, clock: { now } };
    };
    const run = (d: ServiceDeps, s: { link: ActiveLink; actor: LinkActor }, i: number) =>
      submitCheckIn(d, s.actor, {
        link: s.link,
        input: { soreness: inputs[i]?.[0] ?? 0, symptoms: (inputs[i]?.[1] ?? []) as never },
        source: 'patient',
        idempotencyKey: undefined,
      });
    const grouped = await session();
    const alone = await session();
    const before = groupCommitStats(ctx.db, 'check-in');
    const groupedDeps = stepping(T0);
    const together = await Promise.all(inputs.map((_, i) => run(groupedDeps, grouped, i)));
    const after = groupCommitStats(ctx.db, 'check-in');
    expect(after.groups - before.groups).toBe(1);
    expect(after.reruns - before.reruns).toBe(0);
    const aloneDeps = stepping(T0);
    const oneByOne: CheckInResponse[] = [];
    for (const i of inputs.keys()) oneByOne.push(await run(aloneDeps, alone, i));
    const decisions = (answers: CheckInResponse[]) =>
      answers.map((a) => [a.body.assessment.disposition, a.body.assessment.rules]);
    expect(decisions(together)).toEqual(decisions(oneByOne));
    // The history mattered: the 8 after the 4 is pain worsening (no previous report, no rise).
    expect(together[2]?.body.assessment.rules.map((r) => r.id)).toContain('pain_worsening');
    const alertsOf = async (s: { link: ActiveLink }) =>
      (await listAlertsForPatient(ctx.db, clinic.clinicId, s.link.patientId)).map((a) => [
        a.severity,
        a.status,
      ]);
    expect(await alertsOf(grouped)).toEqual(await alertsOf(alone));
  });

  it('the same Idempotency-Key twice in one group: one check-in stored, the other replays it', async () => {
    const s = await session();
    const [a, b] = await Promise.all([
      checkIn(s, 5, [], 'group-key'),
      checkIn(s, 5, [], 'group-key'),
    ]);
    expect([a?.replayed, b?.replayed].sort()).toEqual([false, true]);
    expect(b?.body).toEqual(a?.body);
    expect(await listCheckInsForSession(ctx.db, s.link.sessionId)).toHaveLength(1);
  });

  it('the same key with another body in the same group is refused alone', async () => {
    const s = await session();
    const other = await session();
    const outcomes = await Promise.allSettled([
      checkIn(s, 5, [], 'group-key-2'),
      checkIn(s, 6, [], 'group-key-2'),
      checkIn(other, 1),
    ]);
    // Whichever of the two commits first wins the key; the other is refused, alone.
    expect(outcomes[2]?.status).toBe('fulfilled');
    const keyed = [outcomes[0], outcomes[1]];
    expect(keyed.filter((o) => o?.status === 'fulfilled')).toHaveLength(1);
    expect(keyed.find((o) => o?.status === 'rejected')).toMatchObject({
      reason: { code: 'idempotency_key_reused' },
    });
    expect(await listCheckInsForSession(ctx.db, s.link.sessionId)).toHaveLength(1);
    // The refused one wrote its check-in and audit event before its key was found taken: both
    // went with its savepoint (the held audit event too), and the chain is whole.
    const audited = await listAuditEvents(ctx.db, { subjectType: 'check_in', limit: 200 });
    expect(audited.filter((e) => e.details.sessionId === s.link.sessionId)).toHaveLength(1);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    expect(await listCheckInsForSession(ctx.db, other.link.sessionId)).toHaveLength(1);
  });

  it('an emergency in a group of ordinary check-ins opens its emergency alert', async () => {
    const sessions = await Promise.all(Array.from({ length: 3 }, () => session()));
    const [calm, emergency] = await Promise.all([
      checkIn(sessions[0] as { link: ActiveLink; actor: LinkActor }, 2),
      pressEmergencyButton(deps, sessions[1]?.actor as LinkActor, {
        link: sessions[1]?.link as ActiveLink,
        idempotencyKey: undefined,
      }),
      checkIn(sessions[2] as { link: ActiveLink; actor: LinkActor }, 3),
    ]);
    expect(calm?.body.openAlert).toBeNull();
    expect(emergency?.body.assessment.disposition).toBe('emergency');
    expect(emergency?.body.openAlert?.severity).toBe('emergency');
  });

  it("on PostgreSQL a check-in does not wait behind another group held up by a session's lock", async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite writes one group at a time (one connection)
    const [held, free] = [await session(), await session()];
    // Another writer holds the first session's row lock, so its group waits at its first read.
    const release = await lockSessionElsewhere(held.link.sessionId);
    const waiting = checkIn(held, 2);
    try {
      await new Promise((r) => setTimeout(r, 50)); // its group has started and is waiting
      // A second group on another connection answers meanwhile (one group at a time would
      // wait for the lock: the race below then ends with 'still waiting').
      const answer = await Promise.race([
        checkIn(free, 3),
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 3000)),
      ]);
      expect(answer === 'still waiting' ? answer : answer.status).toBe(201);
      let settled = false;
      void waiting.then(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
    } finally {
      await release();
    }
    expect((await waiting).status).toBe(201);
  });

  it('on PostgreSQL a check-in waits for the group being written until it has been out 50 ms', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite writes one group at a time anyway
    const [held, free] = [await session(), await session()];
    // A handle of its own, so a queue of its own, as in another process.
    const own: ServiceDeps = { ...deps, db: ctx.openAnother() };
    const submit = (s: { link: ActiveLink; actor: LinkActor }, soreness: number) =>
      submitCheckIn(own, s.actor, {
        link: s.link,
        input: { soreness, symptoms: [] },
        source: 'patient',
        idempotencyKey: undefined,
      });
    const release = await lockSessionElsewhere(held.link.sessionId);
    const calledAt = performance.now();
    const waiting = submit(held, 2);
    let answeredAt = 0;
    const behind = (async () => {
      await new Promise((r) => setTimeout(r, 10)); // the first group has started and waits
      const answer = await submit(free, 3);
      answeredAt = performance.now();
      return answer;
    })();
    try {
      // The second check-in is answered while the first group still waits for the lock...
      const answer = await Promise.race([
        behind,
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 3000)),
      ]);
      expect(answer === 'still waiting' ? answer : answer.status).toBe(201);
      // ...but not before that group had been out 50 ms (decision 1440): until then it waited
      // to join the next group, as arrivals do while a group is written.
      expect(answeredAt - calledAt).toBeGreaterThanOrEqual(50);
    } finally {
      await release();
    }
    expect((await waiting).status).toBe(201);
    expect(groupCommitStats(own.db, 'check-in').groups).toBe(2);
  });

  it('on PostgreSQL a check-in is six statements in two round trips, alone or in a group, and the chain holds', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite has no round trips
    const sessions = await Promise.all(Array.from({ length: 5 }, () => session()));
    // Another writer of the chain: after its events this process's guess of the head is wrong.
    const other = ctx.openAnother();
    const otherEvent = () =>
      appendAuditEvent(other, {
        at: T0,
        actorType: 'system',
        action: 'test.other_writer',
        subjectType: 'test',
      });
    const sent = watchPgStatements();
    const texts = () => sent.texts();
    try {
      // Alone: begin with its setting, the session's lock, its history, the rows, the audit
      // events with the head's move, commit (decisions 1429, 1470). The history read carries
      // the head, so the group guesses from it (decision 1435), even on a fresh handle.
      sent.clear();
      expect((await checkIn(sessions[0] as never, 2)).status).toBe(201);
      const alone = texts();
      expect(alone, JSON.stringify(alone)).toHaveLength(6);
      expect(alone[0]).toMatch(/^begin; set local plan_cache_mode/);
      expect(alone[1]).toMatch(/for update/);
      expect(alone[2]).toMatch(/json_agg/);
      expect(alone[3]).toMatch(/insert into "check_ins".*insert into "assessments"/s);
      expect(alone[3]).not.toMatch(/audit/);
      expect(alone[4]).toMatch(/update "audit_head".*insert into "audit_events"/s);
      expect(alone[5]).toBe('commit');
      // The opening, the lock and the history go together (decision 1433). The rows go at once;
      // the events and the commit (decision 1438) go behind them before their answer is back
      // (decision 1470): two round trips, in three writes to the socket.
      expect(sent.roundTrips()).toBe(2);
      expect(sent.socketWrites()).toBe(3);
      sent.clear();
      // A group of four: the same six.
      const before = groupCommitStats(ctx.db, 'check-in');
      await Promise.all(sessions.slice(1).map((s, i) => checkIn(s, i + 1)));
      expect(groupCommitStats(ctx.db, 'check-in').groups - before.groups).toBe(1);
      expect(texts(), JSON.stringify(texts())).toHaveLength(6);
      expect(sent.roundTrips()).toBe(2);
      expect(sent.socketWrites()).toBe(3);
      // After another writer's event (another process, a staff action) the group guesses from
      // the head it read with its history, not the one this process last left: still right,
      // still six statements in two round trips (decision 1435). The session is a new one:
      // one this process has written reads nothing (decision 1461, below).
      const fresh = await session();
      await otherEvent();
      sent.clear();
      expect((await checkIn(fresh, 2)).status).toBe(201);
      expect(texts(), JSON.stringify(texts())).toHaveLength(6);
      expect(sent.roundTrips()).toBe(2);
      expect(texts()[4]).toMatch(/unnest.*not exists \(select 1 from "?moved_head"?\)/s);
    } finally {
      sent.restore();
    }
    // Two groups at a time, each chaining from the head the other will leave, with the other
    // writer appending in between: one unbroken chain.
    const waves = [];
    for (let wave = 0; wave < 8; wave += 1) {
      waves.push(...sessions.map((s, i) => checkIn(s, (wave + i) % 4)));
      if (wave % 3 === 1) await otherEvent();
      await new Promise((r) => setImmediate(r));
    }
    expect((await Promise.all(waves)).every((a) => a.status === 201)).toBe(true);
    const chain = await verifyAuditChain(ctx.db);
    expect(chain).toMatchObject({ ok: true });
    const events = await listAuditEvents(ctx.db, { limit: 10_000 });
    expect(events.filter((e) => e.action === 'test.other_writer')).toHaveLength(4);
  });

  it('on PostgreSQL a wrong guess with the commit sent along commits nothing; the group runs again and is stored once', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite does not guess the head
    const [s, fresh] = [await session(), await session()];
    await pastAnyPause(s);
    // Another writer appends an event and holds the head's lock: the group reads the head
    // before that commits, guesses from it and waits for the lock; the head has then moved.
    // (A session this process has not written yet: it reads its history, decision 1461.)
    const release = await moveHeadElsewhere();
    const sent = watchPgStatements();
    let answer: CheckInResponse;
    try {
      const pending = checkIn(fresh, 2);
      await new Promise((r) => setTimeout(r, 100)); // its rows wait for the head's lock
      await release();
      answer = await pending;
    } finally {
      sent.restore();
    }
    expect(answer.status).toBe(201);
    const texts = sent.texts();
    // The first run: its rows, then its events with the commit behind them (then the other
    // writer's commit, the end of its wait); the events' statement failed, so the commit only
    // rolled the run back, rows and all.
    expect(texts[3]).toMatch(/insert into "check_ins"/);
    expect(texts[4]).toMatch(/cast\('needlecare: the audit head moved/);
    expect(texts.slice(5, 8), JSON.stringify(texts)).toEqual(['commit', 'commit', 'rollback']);
    // The run again, within the pause after a miss: guessing from the head it read, its rows and
    // events in one statement with the head's move returned rather than failed, and its own
    // commit (decision 1438).
    expect(texts.slice(8), JSON.stringify(texts)).toHaveLength(5);
    expect(texts[11]).toMatch(/insert into "check_ins".*insert into "audit_events"/s);
    expect(texts[11]).not.toMatch(/needlecare: the audit head moved/);
    expect(texts[12]).toBe('commit');
    // Stored once, with its one audit event, on an unbroken chain.
    const stored = await listCheckInsForSession(ctx.db, fresh.link.sessionId);
    expect(stored.map((c) => c.id)).toEqual([answer.body.checkIn.id]);
    const audited = await listAuditEvents(ctx.db, {
      subjectType: 'check_in',
      subjectId: answer.body.checkIn.id,
    });
    expect(audited.map((e) => e.action)).toEqual(['check_in.create']);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
  });

  it('on PostgreSQL a group whose guess another writer overtook chains again and sends its commit with the events', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite does not guess the head
    const [s, first, second] = [await session(), await session(), await session()];
    await pastAnyPause(s);
    /** Another writer appends an event while `who` checks in, and commits once it waits. */
    const overtaken = async (who: LinkSession) => {
      const release = await moveHeadElsewhere();
      const sent = watchPgStatements();
      try {
        const pending = checkIn(who, 2);
        await new Promise((r) => setTimeout(r, 100)); // its statement waits for the head's lock
        await release();
        const answer = await pending;
        return { answer, texts: sent.texts(), roundTrips: sent.roundTrips() };
      } finally {
        sent.restore();
      }
    };
    // The first miss, with the commit sent along, runs again: a pause in guessing begins.
    expect((await overtaken(first)).answer.status).toBe(201);
    // Within the pause a group guesses from the head it read, without its commit: its statement
    // returns the head the other writer left, and the events are chained again from it.
    const { answer, texts, roundTrips } = await overtaken(second);
    expect(answer.status).toBe(201);
    const again = texts.findIndex((t) =>
      /^with "appended" as \(insert into "audit_events"/.test(t),
    );
    expect(again, JSON.stringify(texts)).toBeGreaterThan(0);
    // The commit right behind the events, in their round trip, and no other after it.
    expect(texts.slice(again + 1)).toEqual(['commit']);
    // The opening with the history, the rows with the events, the other writer's commit, the
    // events again with the commit.
    expect(roundTrips, JSON.stringify(texts)).toBe(4);
    const stored = await listCheckInsForSession(ctx.db, second.link.sessionId);
    expect(stored.map((c) => c.id)).toEqual([answer.body.checkIn.id]);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
  });

  it('on PostgreSQL a group guessing from another group of this process still in flight keeps its own commit', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite does not guess the head
    const [warm, first, second] = [await session(), await session(), await session()];
    await pastAnyPause(warm);
    // Another transaction holds the head's lock without moving the head: the first group's
    // rows wait for it with their commit behind them.
    const release = await holdElsewhere((trx) =>
      sql`select last_seq from audit_head where id = 1 for update`.execute(trx),
    );
    const sent = watchPgStatements();
    let answers: CheckInResponse[];
    try {
      const one = checkIn(first, 2);
      await new Promise((r) => setTimeout(r, 100));
      // The second group reads the head before the first has moved it, and guesses the head the
      // first will leave: right only if the first reaches the lock first. It cannot send its
      // commit along, or it would have to run again whenever the first came second.
      const two = checkIn(second, 3);
      await new Promise((r) => setTimeout(r, 100));
      await release();
      answers = await Promise.all([one, two]);
    } finally {
      sent.restore();
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const texts = sent.texts();
    const rows = texts.filter((t) => t.includes('insert into "audit_events"'));
    expect(rows, JSON.stringify(texts)).toHaveLength(2);
    expect(rows[0]).toMatch(/needlecare: the audit head moved/);
    expect(rows[1]).not.toMatch(/needlecare: the audit head moved/);
    // Nothing ran twice: the first group's six statements, the second's five (its rows and
    // events in one, its commit on its own), and the other transaction's end.
    expect(texts.filter((t) => t === 'rollback')).toHaveLength(0);
    expect(texts).toHaveLength(12);
    expect(await verifyAuditChain(ctx.db)).toMatchObject({ ok: true });
  });
});
