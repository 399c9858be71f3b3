import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { findAlert, insertAlert } from './alerts.repository.ts';
import {
  flushCheckInInserts,
  holdCheckInInserts,
  insertAssessment,
  insertCheckIn,
  listCheckInsForSession,
} from './checkins.repository.ts';
import { type GroupCommitOptions, groupCommitStats, withGroupCommit } from './group-commit.ts';
import { checkInWithAssessment, FIXED_NOW, seedSession } from './test-fixtures.ts';

/** The check-in service's way of holding rows: only in a group's first run. */
const HELD: GroupCommitOptions = {
  held: (trx) => {
    holdCheckInInserts(trx);
    return { flush: () => flushCheckInInserts(trx) };
  },
};

describeEachDialect('check-in rows held for one insert per group', (ctx) => {
  it('answers each item with its rows exactly as they are then stored', async () => {
    const seeded = await seedSession(ctx.db);
    const answers = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        withGroupCommit(ctx.db, 'held-rows', (trx) => checkInWithAssessment(trx, seeded, i), HELD),
      ),
    );
    expect(groupCommitStats(ctx.db, 'held-rows').largest).toBe(6);
    const stored = await listCheckInsForSession(ctx.db, seeded.session.id);
    expect(stored).toEqual(answers.map((a) => ({ ...a.checkIn, assessment: a.assessment })));
  });

  it('writes the held rows before an alert that names one of them', async () => {
    const seeded = await seedSession(ctx.db);
    const [, second] = await Promise.all(
      [1, 2, 3].map((i) =>
        withGroupCommit(
          ctx.db,
          'held-alert',
          async (trx) => {
            const rows = await checkInWithAssessment(trx, seeded, i);
            if (i !== 2) return { rows, alertId: undefined };
            // The alert's foreign key needs the assessment in the table now.
            const alert = await insertAlert(trx, {
              clinicId: seeded.clinic.id,
              sessionId: seeded.session.id,
              patientId: seeded.patient.id,
              assessmentId: rows.assessment.id,
              severity: 'emergency',
              createdAt: FIXED_NOW,
            });
            return { rows, alertId: alert.id };
          },
          HELD,
        ),
      ),
    );
    expect(groupCommitStats(ctx.db, 'held-alert').reruns).toBe(0);
    const alert = await findAlert(ctx.db, seeded.clinic.id, second?.alertId ?? '');
    expect(alert?.assessmentId).toBe(second?.rows.assessment.id);
    expect(await listCheckInsForSession(ctx.db, seeded.session.id)).toHaveLength(3);
  });

  it('a held row that cannot be written fails its own item only; the others commit', async () => {
    const seeded = await seedSession(ctx.db);
    const taken = await checkInWithAssessment(ctx.db, seeded, 0);
    const before = groupCommitStats(ctx.db, 'held-fail');
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map((i) =>
        withGroupCommit(
          ctx.db,
          'held-fail',
          // Item 3 reuses a stored check-in's id: only the flush can find out.
          (trx) => checkInWithAssessment(trx, seeded, i, i === 3 ? taken.checkIn.id : undefined),
          HELD,
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const after = groupCommitStats(ctx.db, 'held-fail');
    expect(after.reruns - before.reruns).toBe(1);
    const stored = await listCheckInsForSession(ctx.db, seeded.session.id);
    expect(stored.map((c) => c.hoursAfter)).toEqual([1, 1.01, 1.02, 1.04]);
  });

  it("on PostgreSQL a group's check-ins and assessments go in one statement", async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite has no round trip to save: two inserts
    const seeded = await seedSession(ctx.db);
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await Promise.all(
        [1, 2, 3].map((i) =>
          withGroupCommit(ctx.db, 'held-one', (trx) => checkInWithAssessment(trx, seeded, i), HELD),
        ),
      );
      const texts = sent.mock.calls.map((call) => {
        const q = call[0] as string | { text: string };
        return typeof q === 'string' ? q : q.text;
      });
      const inserts = texts.filter((t) => /insert into "(check_ins|assessments)"/.test(t));
      expect(inserts).toHaveLength(1);
      expect(inserts[0]).toMatch(/insert into "check_ins".*insert into "assessments"/s);
    } finally {
      sent.mockRestore();
    }
    const stored = await listCheckInsForSession(ctx.db, seeded.session.id);
    expect(stored.map((c) => [c.hoursAfter, c.assessment?.checkInId === c.id])).toEqual([
      [1.01, true],
      [1.02, true],
      [1.03, true],
    ]);
  });

  it('on PostgreSQL groups of any size send one statement text, and every value comes back as written', async () => {
    if (ctx.dialect !== 'postgres') return; // SQLite parses a statement in microseconds
    const seeded = await seedSession(ctx.db);
    const { session } = seeded;
    // Notes with what an array literal must quote: quotes, backslashes, braces, commas, NULL.
    const notes = ['say "hi"', 'back\\slash', '{braces}, and commas', 'NULL', 'two\nlines', null];
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    let at = 0;
    const group = (size: number) =>
      Promise.all(
        Array.from({ length: size }, () => {
          const i = at++;
          return withGroupCommit(
            ctx.db,
            'held-any-size',
            async (trx) => {
              const checkIn = await insertCheckIn(trx, {
                sessionId: session.id,
                clinicId: session.clinicId,
                receivedAt: new Date(Date.parse(FIXED_NOW) + i * 1000),
                hoursAfter: 2 + i / 7,
                soreness: i % 3 === 0 ? null : i,
                symptoms: i % 2 === 0 ? ['chest_pain'] : [],
                note: notes[i % notes.length] ?? null,
                source: 'patient',
              });
              await insertAssessment(trx, {
                checkInId: checkIn.id,
                sessionId: session.id,
                clinicId: session.clinicId,
                disposition: 'self_care',
                rules: [],
                rulebookVersion: '1.1.0',
                phase: 'early',
                thoracic: i % 2 === 1,
                createdAt: new Date(Date.parse(FIXED_NOW) + i * 1000),
              });
              return checkIn;
            },
            HELD,
          );
        }),
      );
    let written: Awaited<ReturnType<typeof group>> = [];
    try {
      written = [...(await group(2)), ...(await group(5)), ...(await group(3))];
      const texts = sent.mock.calls.map((call) => {
        const q = call[0] as string | { text: string };
        return typeof q === 'string' ? q : q.text;
      });
      const inserts = texts.filter((t) => /insert into "check_ins"/.test(t));
      expect(inserts).toHaveLength(3);
      expect(new Set(inserts).size).toBe(1);
    } finally {
      sent.mockRestore();
    }
    expect(groupCommitStats(ctx.db, 'held-any-size').largest).toBe(5);
    const stored = await listCheckInsForSession(ctx.db, session.id);
    expect(stored.map(({ assessment: _a, ...c }) => c)).toEqual(written);
    expect(stored.map((c) => c.note)).toEqual(
      written.map((_, i) => notes[i % notes.length] ?? null),
    );
    expect(stored.map((c) => c.assessment?.thoracic)).toEqual(written.map((_, i) => i % 2 === 1));
  });

  it('a group of one holds its rows too; a row that cannot be written fails it, nothing kept', async () => {
    const seeded = await seedSession(ctx.db);
    const taken = await checkInWithAssessment(ctx.db, seeded, 0);
    const before = groupCommitStats(ctx.db, 'held-alone');
    // The assessment is held: it is not in the table until the group's flush.
    const alone = await withGroupCommit(
      ctx.db,
      'held-alone',
      async (trx) => {
        const rows = await checkInWithAssessment(trx, seeded, 1);
        const inTable = await trx
          .selectFrom('assessments')
          .select('id')
          .where('id', '=', rows.assessment.id)
          .execute();
        return { rows, inTable: inTable.length };
      },
      HELD,
    );
    expect(alone.inTable).toBe(0);
    await expect(
      withGroupCommit(
        ctx.db,
        'held-alone',
        (trx) => checkInWithAssessment(trx, seeded, 2, taken.checkIn.id),
        HELD,
      ),
    ).rejects.toThrow();
    const after = groupCommitStats(ctx.db, 'held-alone');
    expect([after.groups - before.groups, after.reruns - before.reruns]).toEqual([2, 0]);
    const stored = await listCheckInsForSession(ctx.db, seeded.session.id);
    expect(stored).toEqual([
      { ...taken.checkIn, assessment: taken.assessment },
      { ...alone.rows.checkIn, assessment: alone.rows.assessment },
    ]);
  });
});
