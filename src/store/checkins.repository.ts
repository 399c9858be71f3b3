import { type QueryCreator, type RawBuilder, sql } from 'kysely';
import { decidingReports } from '../clinical/triage.ts';
import type { Disposition, Phase, SymptomCode } from '../clinical/types.ts';
import {
  appendDeferredAlong,
  auditHeadLockQuery,
  auditHeadLockUnlessMoved,
  type OptimisticAppend,
  withOptimisticAppend,
} from './audit.repository.ts';
import { builtOnce, type OneParameter, oneParameter } from './built-once.ts';
import { fromIntBool, type InstantInput, parseJson, toIntBool, toIso, toJson } from './codec.ts';
import { type Db, dialectOf, isOneOf } from './db.ts';
import { isPlannedCastFailure } from './db-errors.ts';
import { RunGroupAgain } from './group-commit.ts';
import { timeOrderedId } from './ids.ts';
import type { AssessmentRow, CheckInRow, Database } from './schema.ts';

export type CheckInSource = 'patient' | 'emergency_button' | 'staff';

export interface CheckIn {
  readonly id: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly receivedAt: string;
  /** Hours since the session, fractions allowed. */
  readonly hoursAfter: number;
  /** Null: no number given with a red-flag report (RULES.md v1.1). */
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
  readonly note: string | null;
  readonly source: CheckInSource;
}

export interface NewCheckIn {
  readonly id?: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly receivedAt: InstantInput;
  readonly hoursAfter: number;
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
  readonly note?: string | null;
  readonly source: CheckInSource;
}

/** The stored decision of the clinical core for one check-in; never re-derived. */
export interface Assessment {
  readonly id: string;
  readonly checkInId: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly disposition: Disposition;
  /** Ids of the rules that fired, highest disposition first. */
  readonly rules: readonly string[];
  readonly rulebookVersion: string;
  readonly phase: Phase;
  readonly thoracic: boolean;
  readonly createdAt: string;
}

export interface NewAssessment {
  readonly id?: string;
  readonly checkInId: string;
  readonly sessionId: string;
  readonly clinicId: string;
  readonly disposition: Disposition;
  readonly rules: readonly string[];
  readonly rulebookVersion: string;
  readonly phase: Phase;
  readonly thoracic: boolean;
  readonly createdAt: InstantInput;
}

export type CheckInWithAssessment = CheckIn & { readonly assessment: Assessment | null };

export function toCheckIn(row: CheckInRow): CheckIn {
  return {
    id: row.id,
    sessionId: row.session_id,
    clinicId: row.clinic_id,
    receivedAt: row.received_at,
    hoursAfter: Number(row.hours_after),
    soreness: row.soreness,
    symptoms: parseJson<SymptomCode[]>(row.symptoms_json),
    note: row.note,
    source: row.source,
  };
}

export function toAssessment(row: AssessmentRow): Assessment {
  return {
    id: row.id,
    checkInId: row.check_in_id,
    sessionId: row.session_id,
    clinicId: row.clinic_id,
    disposition: row.disposition as Disposition,
    rules: parseJson<string[]>(row.rules_json),
    rulebookVersion: row.rulebook_version,
    phase: row.phase as Phase,
    thoracic: fromIntBool(row.thoracic),
    createdAt: row.created_at,
  };
}

export async function insertCheckIn(db: Db, input: NewCheckIn): Promise<CheckIn> {
  const values: CheckInRow = {
    id: input.id ?? timeOrderedId(),
    session_id: input.sessionId,
    clinic_id: input.clinicId,
    received_at: toIso(input.receivedAt),
    hours_after: input.hoursAfter,
    soreness: input.soreness,
    symptoms_json: toJson(input.symptoms),
    note: input.note ?? null,
    source: input.source,
  };
  const held = heldInserts.get(db);
  if (held !== undefined) {
    held.checkIns.push(values);
    return toCheckIn(values);
  }
  const row = await db
    .insertInto('check_ins')
    .values(values)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCheckIn(row);
}

/** Store an assessment; one per check-in (a second one for the same check-in throws). */
export async function insertAssessment(db: Db, input: NewAssessment): Promise<Assessment> {
  const values: AssessmentRow = {
    id: input.id ?? timeOrderedId(),
    check_in_id: input.checkInId,
    session_id: input.sessionId,
    clinic_id: input.clinicId,
    disposition: input.disposition,
    rules_json: toJson(input.rules),
    rulebook_version: input.rulebookVersion,
    phase: input.phase,
    thoracic: toIntBool(input.thoracic),
    created_at: toIso(input.createdAt),
  };
  const held = heldInserts.get(db);
  if (held !== undefined) {
    held.assessments.push(values);
    return toAssessment(values);
  }
  const row = await db
    .insertInto('assessments')
    .values(values)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAssessment(row);
}

/** Transactions whose check-in and assessment inserts wait for a flush (`holdCheckInInserts`). */
const heldInserts = new WeakMap<
  Db,
  { readonly checkIns: CheckInRow[]; readonly assessments: AssessmentRow[] }
>();

/**
 * From now on `insertCheckIn` and `insertAssessment` in this transaction hold their rows back
 * and return them as stored; `flushCheckInInserts` writes all held rows with one multi-row insert
 * per table (decision 1415). For a group commit's first run: N check-ins then cost two inserts
 * instead of 2N. The rows, their values and their transaction are the ones the single inserts
 * would write; an error of the flush fails the whole run (the group then runs again with a
 * savepoint per check-in, without holding). Anything that writes a row referring to a held one
 * (an alert names its assessment) flushes first: `insertAlert` and `raiseOpenAlertSeverity` do.
 */
export function holdCheckInInserts(trx: Db): void {
  heldInserts.set(trx, { checkIns: [], assessments: [] });
}

/** Whether this transaction holds its check-in rows back (`holdCheckInInserts`). */
export function holdsCheckInInserts(trx: Db): boolean {
  return heldInserts.has(trx);
}

/**
 * Write the held rows, if any (check-ins first: assessments refer to them) and stop holding.
 * `lockAuditHead`: the transaction's audit events are appended next (a group's deferred
 * appends); on PostgreSQL the same statement then appends them (decision 1429) or takes the
 * audit head's lock for them (decision 1427).
 * `lastBeforeCommit`: the caller runs nothing more in the transaction but its commit; on
 * PostgreSQL the rows may then go at once, the events behind them in a statement of their own,
 * and the commit behind those (decisions 1438, 1470).
 */
export async function flushCheckInInserts(
  trx: Db,
  { keepHolding = false, lockAuditHead = false, lastBeforeCommit = false } = {},
): Promise<void> {
  const held = heldInserts.get(trx);
  if (held === undefined) return;
  if (keepHolding) heldInserts.set(trx, { checkIns: [], assessments: [] });
  else heldInserts.delete(trx);
  const { checkIns, assessments } = held;
  if (dialectOf(trx) === 'postgres' && checkIns.length > 0 && assessments.length > 0) {
    // One round trip for both (decision 1425): the assessments' foreign keys are checked at the
    // end of the statement, when its check-ins are in.
    // The first rows statement of the transaction moves its sessions' versions on (decision
    // 1461): the flush before an alert (`keepHolding`) or the last.
    const sessions = sessionVersions.get(trx);
    sessionVersions.delete(trx);
    // Each column one parameter: one shape for any size of group (decision 1468).
    const checkInColumns = columnsOf(CHECK_IN_COLUMNS, checkIns);
    const assessmentColumns = columnsOf(ASSESSMENT_COLUMNS, assessments);
    const rows =
      sessions === undefined
        ? { checkIns: checkInColumns, assessments: assessmentColumns }
        : {
            checkIns: checkInColumns,
            assessments: assessmentColumns,
            sessions: {
              ids: oneParameter(sessions.ids),
              versions: oneParameter(sessions.versions),
            },
          };
    try {
      if (lockAuditHead)
        await appendDeferredAlong(
          trx,
          insertBothWithAudit,
          rows,
          lastBeforeCommit ? () => insertBothRows.compiled(trx, rows) : undefined,
        );
      else await insertBothRows(trx, rows);
    } catch (error) {
      if (isPlannedCastFailure(error, SESSION_MOVED))
        throw new SessionsMoved('a session moved from the version its state was read at', {
          cause: error,
        });
      throw error;
    }
    return;
  }
  if (sessionVersions.has(trx)) throw new Error('sessions to move, but no rows statement');
  if (checkIns.length > 0) await insertCheckInRows(trx, checkIns);
  if (assessments.length > 0) await insertAssessmentRows(trx, assessments);
}

/** A group's rows in one insert per table, built once per number of rows (decision 1425). */
const insertCheckInRows = builtOnce((db, rows: CheckInRow[]) =>
  db.insertInto('check_ins').values(rows),
);
const insertAssessmentRows = builtOnce((db, rows: AssessmentRow[]) =>
  db.insertInto('assessments').values(rows),
);
const insertBothRows = builtOnce(
  (
    db,
    rows: {
      checkIns: readonly OneParameter[];
      assessments: readonly OneParameter[];
      sessions?: SessionVersionsParameters;
    },
  ) =>
    (rows.sessions === undefined ? db : withSessionsMoved(db, rows.sessions))
      .with('held_check_ins', (qc) =>
        qc
          .insertInto('check_ins')
          .columns(CHECK_IN_COLUMNS)
          .expression(unnestOf(CHECK_IN_COLUMNS, rows.checkIns)),
      )
      .insertInto('assessments')
      .columns(ASSESSMENT_COLUMNS)
      .expression(unnestOf(ASSESSMENT_COLUMNS, rows.assessments)),
);

/** Every column of a check-in row, in the order a group's insert lists them. */
const CHECK_IN_COLUMNS = [
  'id',
  'session_id',
  'clinic_id',
  'received_at',
  'hours_after',
  'soreness',
  'symptoms_json',
  'note',
  'source',
] as const satisfies readonly (keyof CheckInRow)[];
/** Every column of an assessment row, likewise. */
const ASSESSMENT_COLUMNS = [
  'id',
  'check_in_id',
  'session_id',
  'clinic_id',
  'disposition',
  'rules_json',
  'rulebook_version',
  'phase',
  'thoracic',
  'created_at',
] as const satisfies readonly (keyof AssessmentRow)[];
/** The PostgreSQL array type of each column that is not text. */
const ARRAY_TYPES: Readonly<Record<string, string>> = {
  hours_after: 'double precision[]',
  soreness: 'integer[]',
  thoracic: 'integer[]',
};

/**
 * A group's rows on PostgreSQL as `select * from unnest(…)` of one array per column (decision
 * 1451): the statement's text is the same for any number of rows, so each connection parses and
 * plans it once, where a `values` list of each size was a statement of its own. A size first
 * seen in a stall (a group larger than any before) cost that group ~6–8 ms more. `arrays` are
 * the columns' values in the order of `columns` (`columnsOf`).
 */
function unnestOf(
  columns: readonly string[],
  arrays: readonly OneParameter[],
): RawBuilder<unknown> {
  return sql`select * from unnest(${sql.join(
    columns.map((column, i) => sql`${arrays[i]}::${sql.raw(ARRAY_TYPES[column] ?? 'text[]')}`),
  )})`;
}

/** Each of `columns` of `rows` as one array, one parameter (decision 1468). */
function columnsOf<R, C extends keyof R & string>(
  columns: readonly C[],
  rows: readonly R[],
): OneParameter[] {
  return columns.map((column) => oneParameter(rows.map((row) => row[column])));
}
/**
 * `insertBothRows`, its statement also appending the group's audit events when it gets `audit`
 * (decision 1429), else locking and reading the audit head for them (decision 1427): see
 * `appendDeferredAlong`.
 */
const insertBothWithAudit = builtOnce((db, a: RowsWithAudit & { lane: number }) =>
  a.audit === undefined
    ? auditHeadLockQuery(heldRows(db, a), a.lane)
    : auditHeadLockUnlessMoved(withOptimisticAppend(heldRows(db, a), a.audit, a.lane)),
);

interface RowsWithAudit {
  /** Their columns (`columnsOf`). */
  readonly checkIns: readonly OneParameter[];
  readonly assessments: readonly OneParameter[];
  readonly audit?: OptimisticAppend;
  /** The sessions whose `triage_version` the statement moves on from these (decision 1461). */
  readonly sessions?: SessionVersionsParameters;
}

/** `SessionVersions` with each list one parameter (decision 1468). */
interface SessionVersionsParameters {
  readonly ids: OneParameter;
  readonly versions: OneParameter;
}

/** Sessions by id with the `triage_version` their triage inputs were read or kept at. */
export interface SessionVersions {
  readonly ids: string[];
  readonly versions: number[];
}

/** Per transaction: the sessions its rows statement moves on (`moveSessionsAlong`). */
const sessionVersions = new WeakMap<Db, SessionVersions>();

/**
 * PostgreSQL (decision 1461): the group's rows statement (`flushCheckInInserts`) also moves
 * each of these sessions' `triage_version` on by one, from the version given here: the one
 * read under the session's lock, or the one its state was kept at in the process. If a
 * session's version is not that one any more when the statement holds its lock (another writer
 * changed its triage inputs and committed), the statement fails, the transaction rolls back,
 * and the flush throws `SessionsMoved`. The transaction must say so first
 * (`movesTriageVersions`), and must write to no session but these.
 */
export function moveSessionsAlong(trx: Db, sessions: SessionVersions): void {
  sessionVersions.set(trx, sessions);
}

/**
 * PostgreSQL: this transaction moves the versions of the sessions it writes itself
 * (`moveSessionsAlong`), so the database's triggers let its writes pass without moving them
 * (migration 0270). Sent with the transaction's `begin`, no round trip of its own.
 */
export async function movesTriageVersions(trx: Db): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`set local needlecare.triage_versions = 'moved'`.execute(trx);
}

/** A session's triage inputs changed after they were read or kept: the group runs again. */
export class SessionsMoved extends RunGroupAgain {}

/** The start of the statement's error when a session's version was not the expected one. */
const SESSION_MOVED = 'needlecare: a session moved from its version';

/** A group's check-ins and assessments as the `WITH` of a statement about the audit head. */
function heldRows(db: Db, a: RowsWithAudit): QueryCreator<Database> {
  // The audit parts read none of the WITH's tables: seen as the plain schema.
  const start = a.sessions === undefined ? db : withSessionsMoved(db, a.sessions);
  return start
    .with('held_check_ins', (qc) =>
      qc
        .insertInto('check_ins')
        .columns(CHECK_IN_COLUMNS)
        .expression(unnestOf(CHECK_IN_COLUMNS, a.checkIns)),
    )
    .with('held_assessments', (qc) =>
      qc
        .insertInto('assessments')
        .columns(ASSESSMENT_COLUMNS)
        .expression(unnestOf(ASSESSMENT_COLUMNS, a.assessments)),
    ) as unknown as QueryCreator<Database>;
}

/**
 * `moved_sessions`: each session's `triage_version` plus one if it still is the given one, else
 * a cast of a text to a number, which fails the statement (SQLSTATE 22P02). PostgreSQL runs a
 * data-modifying `WITH` part to its end whether the statement reads it or not. Each session's
 * row lock is held before its version is compared; a row another writer changed and committed
 * meanwhile is read again at its newest version before the new value is computed (read
 * committed), so the comparison is with what was committed, not with the statement's snapshot.
 *
 * `locked_sessions` takes those row locks first, in id order (decision 1471), as the read of a
 * group does (`findSessionsForCheckIn`): the update alone would take them in its plan's order,
 * the table's own when it scans a small table, and a group waiting for one session could then
 * hold another that a reading group wants next. The update reads its sessions from there, so
 * it changes no row the lock has not reached.
 */
function withSessionsMoved(db: Db, sessions: SessionVersionsParameters): QueryCreator<Database> {
  return db
    .with(
      (cte) => cte('locked_sessions').materialized(),
      () =>
        sql<{ id: string; version: number }>`(select s.id, v.version from needling_sessions s
          join unnest(${sessions.ids}::text[], ${sessions.versions}::bigint[]) v(id, version)
            on s.id = v.id
          order by s.id for no key update of s)`,
    )
    .with('moved_sessions', (qc) =>
      qc
        .updateTable('needling_sessions as s')
        .from('locked_sessions as l')
        .set({
          triage_version: sql`case when s.triage_version = l.version then s.triage_version + 1
          else cast(${sql.lit(`${SESSION_MOVED} `)} || s.id as bigint) end`,
        } as never)
        .whereRef('s.id', '=', 'l.id')
        .returning('s.id'),
    ) as unknown as QueryCreator<Database>;
}

/** What triage needs of one check-in, with the keys that order a session's reports. */
export interface OrderedReport {
  readonly id: string;
  readonly receivedAt: string;
  readonly hoursAfter: number;
  readonly soreness: number | null;
  readonly symptoms: SymptomCode[];
}

/** The order of a session's reports (and of `listCheckInsForSession`): received, then id. */
export function compareReports(a: OrderedReport, b: OrderedReport): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The earlier check-ins of several sessions, each session's in the order received: one narrow
 * statement for all of them.
 */
export async function listReportsForSessions(
  db: Db,
  sessionIds: readonly string[],
): Promise<Map<string, OrderedReport[]>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('check_ins')
    .select(['id', 'session_id', 'received_at', 'hours_after', 'soreness', 'symptoms_json'])
    .where('session_id', 'in', [...new Set(sessionIds)])
    .orderBy('session_id')
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  return groupReports(sessionIds, rows);
}

/**
 * What triage needs of the earlier check-ins of several sessions: the core's
 * `decidingReports` of each session's history (its latest hour, and the latest earlier hour
 * with a soreness), each session's in the order received. One statement for a whole group of
 * check-ins (decision 1010 addendum), found through `check_ins_session_hours` in a few index
 * steps per session however long its history is (decision 1413).
 */
export async function listDecidingReportsForSessions(
  db: Db,
  sessionIds: readonly string[],
): Promise<Map<string, OrderedReport[]>> {
  if (sessionIds.length === 0) return new Map();
  return decidingReportsBySession(
    sessionIds,
    await decidingReportRows(db, [...new Set(sessionIds)]),
  );
}

/** The rows of `decidingReportsQuery` → each session's deciding reports. */
export function decidingReportsBySession(
  sessionIds: readonly string[],
  rows: readonly ReportRow[],
): Map<string, OrderedReport[]> {
  // The earlier hour's reports without a soreness are dropped here: filtered in the statement,
  // SQLite would rather walk the whole table by soreness than seek the hour.
  const grouped = groupReports(sessionIds, rows);
  for (const [id, reports] of grouped) grouped.set(id, decidingReports(reports));
  return grouped;
}

/** What the report reads return of a check-in. */
type ReportRow = Pick<
  CheckInRow,
  'id' | 'session_id' | 'received_at' | 'hours_after' | 'soreness' | 'symptoms_json'
>;

/** Named with `as`: a compound select's ORDER BY finds its columns by alias on SQLite. */
const REPORT_COLUMNS = [
  'c.id as id',
  'c.session_id as session_id',
  'c.received_at as received_at',
  'c.hours_after as hours_after',
  'c.soreness as soreness',
  'c.symptoms_json as symptoms_json',
] as const;

/**
 * The reports that decide each session's triage (its latest hour, and the hour before it), in
 * session and received order: the statement of `listDecidingReportsForSessions` (and, on
 * PostgreSQL, part of a check-in group's one read, `readCheckInState`) before the earlier
 * hour's reports without a soreness are dropped.
 */
export function decidingReportsQuery(db: Db, ids: readonly string[]) {
  const hours = db
    // Materialised too: `hours` reads its `h` twice (the column and the earlier hour's bound),
    // and an inlined `last_hour` sought each session's latest hour twice (decision 1460).
    .with(
      (cte) => cte('last_hour').materialized(),
      (qb) =>
        qb
          .selectFrom('needling_sessions as s')
          .where(isOneOf(db, 's.id', ids))
          .select((eb) => [
            's.id as session_id',
            eb
              .selectFrom('check_ins as c')
              .whereRef('c.session_id', '=', 's.id')
              .select((m) => m.fn.max('c.hours_after').as('h'))
              .as('h'),
          ]),
    )
    // Materialised: two hours per session, which the selects below then seek in the index.
    .with(
      (cte) => cte('hours').materialized(),
      (qb) =>
        qb
          .selectFrom('last_hour as l')
          .select((eb) => [
            'l.session_id',
            'l.h',
            eb
              .selectFrom('check_ins as p')
              .whereRef('p.session_id', '=', 'l.session_id')
              .where('p.soreness', 'is not', null)
              .whereRef('p.hours_after', '<', 'l.h')
              .select('p.hours_after')
              .orderBy('p.hours_after', 'desc')
              .limit(1)
              .as('p'),
          ]),
    );
  const sqlite = hours
    .selectFrom('hours as b')
    .crossJoin('check_ins as c')
    .whereRef('c.session_id', '=', 'b.session_id')
    .whereRef('c.hours_after', '=', 'b.h')
    .select(REPORT_COLUMNS)
    // Two seeks per session (`check_ins_session_hours`): the latest hour, then the one before.
    // `cross join` keeps the two hours as SQLite's outer loop: with the filter in the statement,
    // or a plain join, SQLite chose to walk the whole table.
    .unionAll((eb) =>
      eb
        .selectFrom('hours as b')
        .crossJoin('check_ins as c')
        .whereRef('c.session_id', '=', 'b.session_id')
        .whereRef('c.hours_after', '=', 'b.p')
        .select(REPORT_COLUMNS),
    )
    .orderBy('session_id')
    .orderBy('received_at')
    .orderBy('id');
  if (dialectOf(db) === 'postgres') {
    // Lateral subqueries run once per session, each seeking one hour in
    // `check_ins_session_hours`, whatever the planner knows of `check_ins`. As a join, a generic
    // plan made while the table was small or never analysed hash-joined the whole table on every
    // later call. `offset 0` keeps the planner from pulling a subquery up into that same join
    // (decision 1436).
    const pg = hours
      .selectFrom('hours as b')
      .crossJoinLateral((eb) =>
        eb
          .selectFrom('check_ins as c')
          .whereRef('c.session_id', '=', 'b.session_id')
          .whereRef('c.hours_after', '=', 'b.h')
          .select(REPORT_COLUMNS)
          .offset(0)
          .as('r'),
      )
      .selectAll('r')
      .unionAll((u) =>
        u
          .selectFrom('hours as b')
          .crossJoinLateral((eb) =>
            eb
              .selectFrom('check_ins as c')
              .whereRef('c.session_id', '=', 'b.session_id')
              .whereRef('c.hours_after', '=', 'b.p')
              .select(REPORT_COLUMNS)
              .offset(0)
              .as('r'),
          )
          .selectAll('r'),
      )
      .orderBy('session_id')
      .orderBy('received_at')
      .orderBy('id');
    return pg as unknown as typeof sqlite;
  }
  return sqlite;
}

/** `decidingReportsQuery`, built once per number of sessions (decision 1425). */
const decidingReportRows = builtOnce((db, ids: string[]) => decidingReportsQuery(db, ids));

/** Rows in session and received order → each session's reports (empty for one with none). */
function groupReports(
  sessionIds: readonly string[],
  rows: readonly ReportRow[],
): Map<string, OrderedReport[]> {
  const bySession = new Map<string, OrderedReport[]>(sessionIds.map((id) => [id, []]));
  for (const row of rows) {
    bySession.get(row.session_id)?.push({
      id: row.id,
      // Stored as this very text on SQLite; a Date from PostgreSQL.
      receivedAt: typeof row.received_at === 'string' ? row.received_at : toIso(row.received_at),
      hoursAfter: Number(row.hours_after),
      soreness: row.soreness,
      symptoms: parseJson<SymptomCode[]>(row.symptoms_json),
    });
  }
  return bySession;
}

/**
 * What triage needs of a session's earlier check-ins, in the order received (the order of
 * `listCheckInsForSession`): one narrow statement instead of check-ins plus assessments.
 */
export async function listReportsForSession(
  db: Db,
  sessionId: string,
): Promise<{ hoursAfter: number; soreness: number | null; symptoms: SymptomCode[] }[]> {
  const reports = (await listReportsForSessions(db, [sessionId])).get(sessionId) ?? [];
  return reports.map(({ hoursAfter, soreness, symptoms }) => ({ hoursAfter, soreness, symptoms }));
}

/**
 * A session's check-ins in the order received, each with its assessment (null if none).
 * Access control is the caller's: it reached `sessionId` through a clinic-scoped lookup or a
 * patient link.
 */
export async function listCheckInsForSession(
  db: Db,
  sessionId: string,
): Promise<CheckInWithAssessment[]> {
  const checkIns = await db
    .selectFrom('check_ins')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  // Through the session's check-ins: assessments have no index by session (decision 1424).
  const assessments = await db
    .selectFrom('check_ins as c')
    .innerJoin('assessments as a', 'a.check_in_id', 'c.id')
    .selectAll('a')
    .where('c.session_id', '=', sessionId)
    .execute();
  const byCheckIn = new Map(assessments.map((a) => [a.check_in_id, toAssessment(a)]));
  // The fresh row given its assessment, not a spread copy (decision 1446).
  return checkIns.map((row) =>
    Object.assign(toCheckIn(row), { assessment: byCheckIn.get(row.id) ?? null }),
  );
}
