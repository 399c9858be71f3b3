import { sql } from 'kysely';
import {
  type Alert,
  findOpenAlertsForSessions,
  openAlertBySession,
  openAlertsQuery,
} from './alerts.repository.ts';
import { auditLaneOf, type ChainHead } from './audit.repository.ts';
import { builtOnce } from './built-once.ts';
import {
  decidingReportsBySession,
  decidingReportsQuery,
  listDecidingReportsForSessions,
  type OrderedReport,
} from './checkins.repository.ts';
import { type Db, dialectOf, isOneOf } from './db.ts';
import { sendWithNext } from './pg-prepared.ts';
import type { AlertRow, CheckInRow } from './schema.ts';

/** What a check-in reads of its session's past, for every session of a group. */
export interface CheckInHistory {
  /** Each session's reports that decide its triage (`listDecidingReportsForSessions`). */
  readonly reports: Map<string, OrderedReport[]>;
  /** Each session's open alert, if it has one (`findOpenAlertsForSessions`). */
  readonly openAlerts: Map<string, Alert>;
  /**
   * PostgreSQL: the audit chain's head as committed when the history was read, unlocked: a
   * fresh guess for the group's audit append (`observeAuditHead`, decision 1435).
   */
  readonly auditHead?: ChainHead;
  /**
   * Every link of these sessions, by id, with when it was revoked (null: it was not): read
   * with the history, so a check-in commits only through a link still in force (decision
   * 1443).
   */
  readonly linkRevocations: Map<string, string | null>;
}

/** `CheckInHistory.linkRevocations` from rows of link id and revocation time. */
function revocationsOf(
  rows: readonly (readonly [string, string | null])[],
): Map<string, string | null> {
  return new Map(rows.map(([id, revokedAt]) => [id, revokedAt]));
}

/** The links of these sessions with their revocation times (SQLite: its own statement). */
const linkRevocationRows = builtOnce((db, ids: string[]) =>
  db
    .selectFrom('patient_links')
    .select(['id', 'revoked_at'])
    .where(isOneOf(db, 'session_id', ids)),
);

/**
 * The deciding reports and the open alert of each session, read after the sessions were
 * locked (`findSessionsForCheckIn`) so that both include what the writer before committed.
 *
 * - SQLite: the two reads as they are; a statement costs microseconds there.
 * - PostgreSQL: one statement, one round trip instead of two (decision 1427). Each read is a
 *   subquery whose rows come back as one JSON array; every column is text or a number, so the
 *   values are the ones the two reads return.
 */
export async function readCheckInHistory(
  db: Db,
  sessionIds: readonly string[],
): Promise<CheckInHistory> {
  if (sessionIds.length === 0)
    return { reports: new Map(), openAlerts: new Map(), linkRevocations: new Map() };
  if (dialectOf(db) !== 'postgres') {
    const links = await linkRevocationRows(db, [...new Set(sessionIds)]);
    return {
      reports: await listDecidingReportsForSessions(db, sessionIds),
      openAlerts: await findOpenAlertsForSessions(db, sessionIds),
      linkRevocations: revocationsOf(links.map((l) => [l.id, l.revoked_at] as const)),
    };
  }
  const [row] = await historyRow(db, { ids: [...new Set(sessionIds)], lane: auditLaneOf(db) });
  const head = row?.audit_head;
  return {
    reports: decidingReportsBySession(sessionIds, row?.reports ?? []),
    openAlerts: openAlertBySession(row?.alerts ?? []),
    linkRevocations: revocationsOf(row?.links ?? []),
    ...(head == null ? {} : { auditHead: { seq: Number(head[0]), hash: head[1] } }),
  };
}

type ReportRow = Pick<
  CheckInRow,
  'id' | 'session_id' | 'received_at' | 'hours_after' | 'soreness' | 'symptoms_json'
>;

/**
 * On PostgreSQL, `readCheckInHistory(db, sessionIds)` is sent right behind the transaction's
 * next statement (the sessions' lock), in the same round trip (decision 1433). It still runs
 * after the lock is held, so it still sees what the writer before committed. Call
 * `readCheckInHistory` with the same ids after that statement to read the answer.
 */
export async function sendCheckInHistoryWithNext(
  db: Db,
  sessionIds: readonly string[],
): Promise<void> {
  if (sessionIds.length === 0 || dialectOf(db) !== 'postgres') return;
  await sendWithNext(
    db,
    historyRow.compiled(db, { ids: [...new Set(sessionIds)], lane: auditLaneOf(db) }),
  );
}

/** Both reads of `readCheckInHistory` on PostgreSQL, built once per number of sessions. */
const historyRow = builtOnce((db, { ids, lane }: { ids: string[]; lane: number }) =>
  db.selectNoFrom((eb) => [
    eb
      .selectFrom(decidingReportsQuery(db, ids).as('r'))
      // Ordered as `decidingReportsQuery` orders them: `decidingReportsBySession` reads them so.
      .select(
        sql<ReportRow[]>`coalesce(json_agg(r order by r.session_id, r.received_at, r.id), '[]')`.as(
          'reports',
        ),
      )
      .as('reports'),
    eb
      .selectFrom(openAlertsQuery(db, ids).as('a'))
      .select(sql<AlertRow[]>`coalesce(json_agg(a), '[]')`.as('alerts'))
      .as('alerts'),
    eb
      .selectFrom('patient_links as l')
      .where(isOneOf(db, 'l.session_id', ids))
      .select(
        sql<
          [string, string | null][]
        >`coalesce(json_agg(json_build_array(l.id, l.revoked_at)), '[]')`.as('links'),
      )
      .as('links'),
    eb
      .selectFrom('audit_head')
      .where('id', '=', lane)
      .select(sql<[number, string] | null>`json_build_array(last_seq, last_hash)`.as('head'))
      .as('audit_head'),
  ]),
);
