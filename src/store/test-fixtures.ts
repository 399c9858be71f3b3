/**
 * Seed helpers for integration tests (here and in src/api): each call creates fresh rows with
 * random ids, so tests sharing one suite database never collide.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import { AUDIT_GENESIS_HASH, auditLaneBase, type NewAuditEvent } from './audit.repository.ts';
import {
  type Assessment,
  type CheckIn,
  insertAssessment,
  insertCheckIn,
} from './checkins.repository.ts';
import { type Clinic, insertClinic } from './clinics.repository.ts';
import type { Db } from './db.ts';
import { insertPatient, type Patient } from './patients.repository.ts';
import { insertNeedlingSession, type NeedlingSession } from './sessions.repository.ts';
import { insertStaffUser, type StaffRole, type StaffUser } from './staff.repository.ts';

export const FIXED_NOW = '2026-11-25T14:03:00.000Z';

/** The n-th audit event of a test chain: a staff action on an alert, details out of key order. */
export function auditEventFixture(n: number): NewAuditEvent {
  return {
    at: `2026-11-25T14:${String(n % 60).padStart(2, '0')}:00Z`,
    clinicId: 'clinic-1',
    actorType: 'staff',
    actorId: 'user-1',
    action: 'alert.acknowledge',
    subjectType: 'alert',
    subjectId: `alert-${n}`,
    ip: '203.0.113.7',
    details: { z: n, a: { y: 1, b: [2, 1] } },
  };
}

/** An empty audit log: no event, lane 1's head at its start, no other lane. */
export async function emptyAuditLog(db: Db): Promise<void> {
  await db.deleteFrom('audit_events').execute();
  await db.deleteFrom('audit_head').where('id', '<>', 1).execute();
  await db
    .updateTable('audit_head')
    .set({ last_seq: 0, last_hash: AUDIT_GENESIS_HASH })
    .where('id', '=', 1)
    .execute();
}

/**
 * What an insider without the audit key can do to a lane's tail: delete its events after
 * `lastSeq` and move the lane's head back to the event at `lastSeq`, so that the chain alone
 * still verifies. Only a checkpoint taken before catches it.
 */
export async function cutAuditLaneBack(db: Db, lane: number, lastSeq: number): Promise<void> {
  const last = await db
    .selectFrom('audit_events')
    .select('hash')
    .where('seq', '=', lastSeq)
    .executeTakeFirstOrThrow();
  await db
    .deleteFrom('audit_events')
    .where('seq', '>', lastSeq)
    .where('seq', '<', auditLaneBase(lane + 1))
    .execute();
  await db
    .updateTable('audit_head')
    .set({ last_seq: lastSeq, last_hash: last.hash })
    .where('id', '=', lane)
    .execute();
}

export async function seedClinic(db: Db, name = 'Test Clinic'): Promise<Clinic> {
  return insertClinic(db, {
    name,
    timeZone: 'Europe/Madrid',
    emergencyNumber: '112',
    contactPhone: '+34 900 000 000',
    createdAt: FIXED_NOW,
  });
}

export async function seedStaff(
  db: Db,
  clinicId: string,
  role: StaffRole = 'practitioner',
): Promise<StaffUser> {
  return insertStaffUser(db, {
    clinicId,
    email: `Staff-${randomUUID()}@Example.test`,
    displayName: 'Dana Practitioner',
    role,
    passwordHash: 'argon2id$fake',
    createdAt: FIXED_NOW,
  });
}

export interface SeededSession {
  readonly clinic: Clinic;
  readonly practitioner: StaffUser;
  readonly patient: Patient;
  readonly session: NeedlingSession;
}

/** A clinic, a practitioner, a patient and one recorded session with two sites. */
export async function seedSession(db: Db): Promise<SeededSession> {
  const clinic = await seedClinic(db);
  const practitioner = await seedStaff(db, clinic.id);
  const patient = await insertPatient(db, {
    clinicId: clinic.id,
    displayName: 'Alex Patient',
    email: 'alex@example.test',
    language: 'en',
    createdAt: FIXED_NOW,
  });
  const session = await seedAnotherSession(db, { clinic, practitioner, patient });
  return { clinic, practitioner, patient, session };
}

/** One more session of the same patient, with the same two sites, at `FIXED_NOW`. */
export async function seedAnotherSession(
  db: Db,
  of: Omit<SeededSession, 'session'>,
): Promise<NeedlingSession> {
  return insertNeedlingSession(db, {
    clinicId: of.clinic.id,
    patientId: of.patient.id,
    practitionerId: of.practitioner.id,
    performedAt: FIXED_NOW,
    thoracic: false,
    bilateralThoracic: false,
    createdAt: FIXED_NOW,
    sites: [
      { muscle: 'upper_trapezius', side: 'left', needleCount: 2 },
      { muscle: 'gluteus_medius', side: 'right' },
    ],
  });
}

/**
 * SQLite's plan (`explain query plan` details) of every statement `run` makes on `db`, in
 * order, so a test can say which indexes a repository function uses.
 */
export async function sqlitePlansOf(
  db: Db,
  run: (db: Db) => Promise<unknown>,
): Promise<string[][]> {
  const captured: CompiledQuery[] = [];
  const capturing = db.withPlugin({
    transformQuery: (args) => {
      captured.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  await run(capturing);
  const plans: string[][] = [];
  for (const query of captured) {
    const plan = await db.executeQuery<{ detail: string }>(
      // A statement of `builtOnce` is seen once, built from stand-ins: they are bound as null
      // (the plan does not depend on the values; no statistics are gathered in tests).
      CompiledQuery.raw(
        `explain query plan ${query.sql}`,
        query.parameters.map((p) => (typeof p === 'object' && p !== null ? null : p)),
      ),
    );
    plans.push(plan.rows.map((r) => r.detail));
  }
  return plans;
}

/**
 * The `i`th check-in of a seeded session with its assessment, one second apart: odd `i` a
 * self-care report with a number, even `i` chest pain without one (an emergency). `id` reuses a
 * given check-in id (a row that cannot be written).
 */
export async function checkInWithAssessment(
  trx: Db,
  seeded: SeededSession,
  i: number,
  id?: string,
): Promise<{ checkIn: CheckIn; assessment: Assessment }> {
  const { session } = seeded;
  const checkIn = await insertCheckIn(trx, {
    ...(id === undefined ? {} : { id }),
    sessionId: session.id,
    clinicId: session.clinicId,
    receivedAt: new Date(Date.parse(FIXED_NOW) + i * 1000),
    hoursAfter: 1 + i / 100,
    soreness: i % 2 === 0 ? null : 3,
    symptoms: i % 2 === 0 ? ['chest_pain'] : ['tenderness'],
    note: i === 1 ? 'a note' : null,
    source: 'patient',
  });
  const assessment = await insertAssessment(trx, {
    checkInId: checkIn.id,
    sessionId: session.id,
    clinicId: session.clinicId,
    disposition: i % 2 === 0 ? 'emergency' : 'self_care',
    rules: i % 2 === 0 ? ['R1'] : [],
    rulebookVersion: '1.1.0',
    phase: 'early',
    thoracic: i % 3 === 0,
    createdAt: new Date(Date.parse(FIXED_NOW) + i * 1000),
  });
  return { checkIn, assessment };
}
