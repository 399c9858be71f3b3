import { sql } from 'kysely';
import {
  type Alert,
  findOpenAlertsForSessions,
  openAlertBySession,
  openAlertsQuery,
} from './alerts.repository.ts';
import type { ChainHead } from './audit.repository.ts';
import { builtOnce } from './built-once.ts';
import {
  decidingReportsBySession,
  decidingReportsQuery,
  listDecidingReportsForSessions,
  type OrderedReport,
} from './checkins.repository.ts';
import { type Db, dialectOf } from './db.ts';
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
}

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
  if (sessionIds.length === 0) return { reports: new Map(), openAlerts: new Map() };
  if (dialectOf(db) !== 'postgres') {
    return {
      reports: await listDecidingReportsForSessions(db, sessionIds),
      openAlerts: await findOpenAlertsForSessions(db, sessionIds),
    };
  }
  const [row] = await historyRow(db, [...new Set(sessionIds)]);
  const head = row?.audit_head;
  return {
    reports: decidingReportsBySession(sessionIds, row?.reports ?? []),
    openAlerts: openAlertBySession(row?.alerts ?? []),
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
  await sendWithNext(db, historyRow.compiled(db, [...new Set(sessionIds)]));
}

/** Both reads of `readCheckInHistory` on PostgreSQL, built once per number of sessions. */
const historyRow = builtOnce((db, ids: string[]) =>
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
      .selectFrom('audit_head')
      .where('id', '=', 1)
      .select(sql<[number, string] | null>`json_build_array(last_seq, last_hash)`.as('head'))
      .as('audit_head'),
  ]),
);
