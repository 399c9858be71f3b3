import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Side } from '../clinical/types.ts';
import { builtOnce } from './built-once.ts';
import { fromIntBool, type InstantInput, toIntBool, toIso } from './codec.ts';
import { type Db, dialectOf, isOneOf, withTransaction } from './db.ts';
import type { NeedlingSessionRow, SessionSiteRow } from './schema.ts';

export interface SessionSite {
  readonly id: string;
  /** 0-based order as recorded. */
  readonly position: number;
  readonly muscle: string;
  readonly side: Side | null;
  readonly needleCount: number | null;
}

export interface NeedlingSession {
  readonly id: string;
  readonly clinicId: string;
  readonly patientId: string;
  readonly practitionerId: string | null;
  readonly performedAt: string;
  readonly thoracic: boolean;
  readonly bilateralThoracic: boolean;
  readonly notes: string | null;
  readonly createdAt: string;
  readonly sites: readonly SessionSite[];
}

export interface NewSessionSite {
  readonly muscle: string;
  readonly side?: Side | null;
  readonly needleCount?: number | null;
}

export interface NewNeedlingSession {
  readonly id?: string;
  readonly clinicId: string;
  readonly patientId: string;
  readonly practitionerId: string | null;
  readonly performedAt: InstantInput;
  /** Decided by the clinical core (`isThoracicSession`); stored so later reads need not re-derive. */
  readonly thoracic: boolean;
  readonly bilateralThoracic: boolean;
  readonly notes?: string | null;
  readonly createdAt: InstantInput;
  readonly sites: readonly NewSessionSite[];
}

function toSite(row: SessionSiteRow): SessionSite {
  return {
    id: row.id,
    position: row.position,
    muscle: row.muscle,
    side: row.side as Side | null,
    needleCount: row.needle_count,
  };
}

function toSession(row: NeedlingSessionRow, sites: readonly SessionSite[]): NeedlingSession {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    practitionerId: row.practitioner_id,
    performedAt: row.performed_at,
    thoracic: fromIntBool(row.thoracic),
    bilateralThoracic: fromIntBool(row.bilateral_thoracic),
    notes: row.notes,
    createdAt: row.created_at,
    sites,
  };
}

/**
 * Insert a session and its sites, atomically (in the caller's transaction when there is one,
 * so the link and audit row written next commit with it).
 */
export async function insertNeedlingSession(
  db: Db,
  input: NewNeedlingSession,
): Promise<NeedlingSession> {
  const id = input.id ?? randomUUID();
  return withTransaction(db, async (trx) => {
    const row = await trx
      .insertInto('needling_sessions')
      .values({
        id,
        clinic_id: input.clinicId,
        patient_id: input.patientId,
        practitioner_id: input.practitionerId,
        performed_at: toIso(input.performedAt),
        thoracic: toIntBool(input.thoracic),
        bilateral_thoracic: toIntBool(input.bilateralThoracic),
        notes: input.notes ?? null,
        created_at: toIso(input.createdAt),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const siteRows = input.sites.map((site, position) => ({
      id: randomUUID(),
      session_id: id,
      position,
      muscle: site.muscle,
      side: site.side ?? null,
      needle_count: site.needleCount ?? null,
    }));
    if (siteRows.length > 0) await trx.insertInto('session_sites').values(siteRows).execute();
    return toSession(row, siteRows.map(toSite));
  });
}

async function sitesBySession(db: Db, sessionIds: readonly string[]) {
  const bySession = new Map<string, SessionSite[]>();
  if (sessionIds.length === 0) return bySession;
  const rows = await db
    .selectFrom('session_sites')
    .selectAll()
    .where('session_id', 'in', sessionIds)
    .orderBy('session_id')
    .orderBy('position')
    .execute();
  for (const row of rows) {
    const list = bySession.get(row.session_id) ?? [];
    list.push(toSite(row));
    bySession.set(row.session_id, list);
  }
  return bySession;
}

/** A session of this clinic, with its sites in recorded order. */
export async function findNeedlingSession(
  db: Db,
  clinicId: string,
  id: string,
): Promise<NeedlingSession | undefined> {
  const row = await db
    .selectFrom('needling_sessions')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const sites = await sitesBySession(db, [row.id]);
  return toSession(row, sites.get(row.id) ?? []);
}

/** A patient's sessions, newest first, with sites. */
export async function listSessionsForPatient(
  db: Db,
  clinicId: string,
  patientId: string,
): Promise<NeedlingSession[]> {
  const rows = await db
    .selectFrom('needling_sessions')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .orderBy('performed_at', 'desc')
    .orderBy('id')
    .execute();
  const sites = await sitesBySession(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSession(r, sites.get(r.id) ?? []));
}

/** What a check-in needs of its session and clinic (`findSessionForCheckIn`). */
type SiteOfCheckIn = Pick<SessionSite, 'muscle' | 'side'>;

export interface CheckInContext {
  readonly session: Pick<NeedlingSession, 'id' | 'clinicId' | 'patientId' | 'performedAt'> & {
    readonly sites: readonly Pick<SessionSite, 'muscle' | 'side'>[];
  };
  readonly clinic: {
    readonly name: string;
    readonly emergencyNumber: string;
    readonly contactPhone: string;
    /** When the clinic was suspended (null: it is not); its links then take no check-in. */
    readonly suspendedAt: string | null;
  };
  /**
   * PostgreSQL: the session's `triage_version` as read under its lock (decision 1461); absent on
   * SQLite.
   */
  readonly triageVersion?: number;
}

/**
 * The check-in's reads in ONE statement (decision 1011): the session of this clinic, its
 * sites in recorded order and the clinic's name and phone numbers, instead of three (four on
 * PostgreSQL, with the lock). Call first inside the check-in transaction: on PostgreSQL it
 * locks the session row (`FOR UPDATE OF s`), so concurrent
 * check-ins of a session see each other; SQLite runs one write transaction at a time.
 */
export async function findSessionForCheckIn(
  trx: Db,
  clinicId: string,
  sessionId: string,
): Promise<CheckInContext | undefined> {
  const found = (await findSessionsForCheckIn(trx, [sessionId])).get(sessionId);
  return found?.session.clinicId === clinicId ? found : undefined;
}

/**
 * `findSessionForCheckIn` for a group of check-ins: every session of the group, locked (on
 * PostgreSQL) in the order of their ids, so two groups lock shared sessions in the same order.
 * The caller checks each session's clinic against its link.
 */
export async function findSessionsForCheckIn(
  trx: Db,
  sessionIds: readonly string[],
): Promise<Map<string, CheckInContext>> {
  const found = new Map<string, CheckInContext & { session: { sites: SiteOfCheckIn[] } }>();
  if (sessionIds.length === 0) return found;
  for (const row of await checkInSessionRows(trx, [...new Set(sessionIds)])) {
    let entry = found.get(row.id);
    if (entry === undefined) {
      const version = (row as { triage_version?: number | string }).triage_version;
      entry = {
        session: {
          id: row.id,
          clinicId: row.clinic_id,
          patientId: row.patient_id,
          performedAt: row.performed_at,
          sites: [],
        },
        clinic: {
          name: row.name,
          emergencyNumber: row.emergency_number,
          contactPhone: row.contact_phone,
          suspendedAt: row.suspended_at,
        },
        ...(version === undefined ? {} : { triageVersion: Number(version) }),
      };
      found.set(row.id, entry);
    }
    if (row.muscle !== null)
      entry.session.sites.push({ muscle: row.muscle, side: row.side as Side | null });
  }
  return found;
}

/** The statement of `findSessionsForCheckIn`, built once per number of sessions (decision 1425). */
const checkInSessionRows = builtOnce((trx, ids: string[]) => {
  const q = trx
    .selectFrom('needling_sessions as s')
    .innerJoin('clinics as c', 'c.id', 's.clinic_id')
    .leftJoin('session_sites as ss', 'ss.session_id', 's.id')
    .select([
      's.id',
      's.clinic_id',
      's.patient_id',
      's.performed_at',
      'c.name',
      'c.emergency_number',
      'c.contact_phone',
      'c.suspended_at',
      'ss.muscle',
      'ss.side',
    ])
    .where(isOneOf(trx, 's.id', ids))
    .orderBy('s.id')
    .orderBy('ss.position');
  // The version the session's triage inputs are at, under the lock (decision 1461).
  return dialectOf(trx) === 'postgres'
    ? q.select(sql<string>`s.triage_version`.as('triage_version')).forUpdate('s')
    : q;
});
