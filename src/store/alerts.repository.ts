import { randomUUID } from 'node:crypto';
import { builtOnce } from './built-once.ts';
import { flushCheckInInserts } from './checkins.repository.ts';
import { type InstantInput, toCount, toIso } from './codec.ts';
import { type Db, isOneOf } from './db.ts';
import type { AlertRow } from './schema.ts';

export const ALERT_SEVERITIES = ['routine', 'urgent', 'emergency'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** How a resolved alert turned out (decision 1213). */
export const ALERT_OUTCOMES = ['confirmed', 'false_alarm', 'unrelated'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];
/** The class of a confirmed adverse event (the register's classes). */
export const OUTCOME_CLASSES = ['mild', 'significant', 'serious'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

export interface Alert {
  readonly id: string;
  readonly clinicId: string;
  readonly sessionId: string;
  readonly patientId: string;
  readonly assessmentId: string | null;
  readonly severity: AlertSeverity;
  readonly status: AlertStatus;
  readonly createdAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly resolutionNote: string | null;
  /** Set when resolved by staff who classified it; null on older alerts. */
  readonly outcome: AlertOutcome | null;
  /** The class of a confirmed adverse event; null otherwise. */
  readonly outcomeClass: OutcomeClass | null;
}

/** One attempt to reach the patient about an alert: who, when, what happened. */
export interface ContactAttempt {
  readonly id: string;
  readonly alertId: string;
  readonly staffId: string | null;
  readonly at: string;
  readonly note: string;
}

export interface NewAlert {
  readonly id?: string;
  readonly clinicId: string;
  readonly sessionId: string;
  readonly patientId: string;
  readonly assessmentId: string | null;
  readonly severity: AlertSeverity;
  readonly createdAt: InstantInput;
}

export interface ListAlertsOptions {
  readonly status?: AlertStatus | readonly AlertStatus[];
  readonly severity?: AlertSeverity | readonly AlertSeverity[];
  readonly limit?: number;
}

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    sessionId: row.session_id,
    patientId: row.patient_id,
    assessmentId: row.assessment_id,
    severity: row.severity,
    status: row.status,
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
    outcome: row.outcome ?? null,
    outcomeClass: row.outcome_class ?? null,
  };
}

function asList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

/** A new alert always starts `open`. */
export async function insertAlert(db: Db, input: NewAlert): Promise<Alert> {
  // The alert names its assessment: a held one is written first (decision 1415).
  await flushCheckInInserts(db, { keepHolding: true });
  const row = await db
    .insertInto('alerts')
    .values({
      id: input.id ?? randomUUID(),
      clinic_id: input.clinicId,
      session_id: input.sessionId,
      patient_id: input.patientId,
      assessment_id: input.assessmentId,
      severity: input.severity,
      status: 'open',
      created_at: toIso(input.createdAt),
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      resolution_note: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAlert(row);
}

export async function findAlert(db: Db, clinicId: string, id: string): Promise<Alert | undefined> {
  const row = await db
    .selectFrom('alerts')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAlert(row);
}

/**
 * The session's `open` (unacknowledged) alert, most severe then newest, so a new check-in can
 * raise it instead of adding a duplicate. Acknowledged alerts are not returned: a worse report
 * after someone looked deserves a fresh alert.
 */
export async function findOpenAlertForSession(
  db: Db,
  sessionId: string,
): Promise<Alert | undefined> {
  return (await findOpenAlertsForSessions(db, [sessionId])).get(sessionId);
}

/** `findOpenAlertForSession` for several sessions in one statement (a group of check-ins). */
export async function findOpenAlertsForSessions(
  db: Db,
  sessionIds: readonly string[],
): Promise<Map<string, Alert>> {
  if (sessionIds.length === 0) return new Map();
  return openAlertBySession(await openAlertRows(db, [...new Set(sessionIds)]));
}

/**
 * Each session's open alert among `rows` (in any order): the most severe, then the newest, then
 * the lowest id, as `openAlertsQuery` orders them. A session has one open alert; should two
 * ever be open, a check-in raises the one a clinician would see first.
 */
export function openAlertBySession(rows: readonly AlertRow[]): Map<string, Alert> {
  const found = new Map<string, AlertRow>();
  for (const row of rows) {
    const kept = found.get(row.session_id);
    if (kept === undefined || comesFirst(row, kept)) found.set(row.session_id, row);
  }
  return new Map([...found].map(([id, row]) => [id, toAlert(row)]));
}

function comesFirst(a: AlertRow, b: AlertRow): boolean {
  const bySeverity = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (bySeverity !== 0) return bySeverity > 0;
  if (a.created_at !== b.created_at) return a.created_at > b.created_at;
  return a.id < b.id;
}

/**
 * The open alerts of several sessions, most severe, then newest, first within each session:
 * the statement of `findOpenAlertsForSessions` (and, on PostgreSQL, part of a check-in group's
 * one read, `readCheckInState`).
 */
export function openAlertsQuery(db: Db, ids: readonly string[]) {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where(isOneOf(db, 'session_id', ids))
    .where('status', '=', 'open')
    .orderBy('session_id')
    .orderBy((eb) =>
      eb
        .case()
        .when('severity', '=', 'emergency')
        .then(0)
        .when('severity', '=', 'urgent')
        .then(1)
        .else(2)
        .end(),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id');
}

/** `openAlertsQuery`, built once per number of sessions (decision 1425). */
const openAlertRows = builtOnce((db, ids: string[]) => openAlertsQuery(db, ids));

/**
 * The clinic's alerts for the dashboard: open first (then acknowledged, then resolved), within
 * that emergency > urgent > routine, then oldest first (longest waiting on top).
 */
export async function listAlerts(
  db: Db,
  clinicId: string,
  options: ListAlertsOptions = {},
): Promise<Alert[]> {
  let q = db.selectFrom('alerts').selectAll().where('clinic_id', '=', clinicId);
  if (options.status !== undefined) q = q.where('status', 'in', asList(options.status));
  if (options.severity !== undefined) q = q.where('severity', 'in', asList(options.severity));
  // queue_rank is status then severity as one indexed number (migration 0002): the index
  // (clinic_id, queue_rank, created_at, id) returns rows in this order without sorting.
  const rows = await q
    .orderBy('queue_rank')
    .orderBy('created_at')
    .orderBy('id')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  return rows.map(toAlert);
}

/**
 * open → acknowledged. False when the alert is unknown in this clinic or not open any more,
 * so a second click (or a second practitioner) gets a 409 instead of overwriting who acted.
 */
export async function acknowledgeAlert(
  db: Db,
  clinicId: string,
  id: string,
  userId: string,
  at: InstantInput,
): Promise<boolean> {
  const result = await db
    .updateTable('alerts')
    .set({ status: 'acknowledged', acknowledged_at: toIso(at), acknowledged_by: userId })
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * open | acknowledged → resolved. Resolving an open alert also records it as acknowledged by
 * the same user at the same time. False when unknown in this clinic or already resolved.
 */
export async function resolveAlert(
  db: Db,
  clinicId: string,
  id: string,
  userId: string,
  at: InstantInput,
  note: string | null,
  outcome?: { readonly outcome: AlertOutcome; readonly outcomeClass: OutcomeClass | null },
): Promise<boolean> {
  const iso = toIso(at);
  const result = await db
    .updateTable('alerts')
    .set((eb) => ({
      status: 'resolved',
      resolved_at: iso,
      resolved_by: userId,
      resolution_note: note,
      ...(outcome === undefined
        ? {}
        : { outcome: outcome.outcome, outcome_class: outcome.outcomeClass }),
      acknowledged_at: eb.fn.coalesce('acknowledged_at', eb.val(iso)),
      acknowledged_by: eb.fn.coalesce('acknowledged_by', eb.val(userId)),
    }))
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .where('status', 'in', ['open', 'acknowledged'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Counts of `open` alerts per severity (all severities present, zero when none). */
export async function countOpenAlertsBySeverity(
  db: Db,
  clinicId: string,
): Promise<Record<AlertSeverity, number>> {
  const rows = await db
    .selectFrom('alerts')
    .select(['severity', (eb) => eb.fn.countAll().as('n')])
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'open')
    .groupBy('severity')
    .execute();
  const counts: Record<AlertSeverity, number> = { routine: 0, urgent: 0, emergency: 0 };
  for (const row of rows) counts[row.severity] = toCount(row.n);
  return counts;
}

const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = {
  routine: 0,
  urgent: 1,
  emergency: 2,
};

/** Order of severities, lowest first: routine 0, urgent 1, emergency 2. */
export function severityRank(severity: AlertSeverity): number {
  return SEVERITY_RANK[severity];
}

/**
 * Raise an open alert to `severity` and point it at the assessment that raised it. Never
 * lowers (the `where` admits only strictly lower current severities) and never closes.
 * Returns the alert as it is after the call.
 */
export async function raiseOpenAlertSeverity(
  db: Db,
  clinicId: string,
  alertId: string,
  severity: AlertSeverity,
  assessmentId: string,
): Promise<Alert | undefined> {
  const lower = (Object.keys(SEVERITY_RANK) as AlertSeverity[]).filter(
    (s) => SEVERITY_RANK[s] < SEVERITY_RANK[severity],
  );
  if (lower.length > 0) {
    await flushCheckInInserts(db, { keepHolding: true });
    await db
      .updateTable('alerts')
      .set({ severity, assessment_id: assessmentId })
      .where('clinic_id', '=', clinicId)
      .where('id', '=', alertId)
      .where('status', '=', 'open')
      .where('severity', 'in', lower)
      .execute();
  }
  return findAlert(db, clinicId, alertId);
}

/** A patient's alerts, oldest first (timeline). */
export async function listAlertsForPatient(
  db: Db,
  clinicId: string,
  patientId: string,
): Promise<Alert[]> {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toAlert);
}

/** Record one attempt to reach the patient about an alert of this clinic. */
export async function insertContactAttempt(
  db: Db,
  input: {
    readonly alertId: string;
    readonly clinicId: string;
    readonly staffId: string | null;
    readonly at: InstantInput;
    readonly note: string;
  },
): Promise<ContactAttempt> {
  const row = await db
    .insertInto('alert_contact_attempts')
    .values({
      id: randomUUID(),
      alert_id: input.alertId,
      clinic_id: input.clinicId,
      staff_id: input.staffId,
      at: toIso(input.at),
      note: input.note,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, alertId: row.alert_id, staffId: row.staff_id, at: row.at, note: row.note };
}

/** The contact attempts of these alerts (of this clinic), oldest first, by alert id. */
// Built once per number of alerts (decision 1425): every queue page reads them.
const contactAttemptRows = builtOnce((db, a: { clinicId: string; alertIds: string[] }) =>
  db
    .selectFrom('alert_contact_attempts')
    .selectAll()
    .where('clinic_id', '=', a.clinicId)
    .where('alert_id', 'in', a.alertIds)
    .orderBy('at')
    .orderBy('id'),
);

export async function listContactAttempts(
  db: Db,
  clinicId: string,
  alertIds: readonly string[],
): Promise<Map<string, ContactAttempt[]>> {
  const out = new Map<string, ContactAttempt[]>();
  if (alertIds.length === 0) return out;
  const rows = await contactAttemptRows(db, { clinicId, alertIds: [...alertIds] });
  for (const row of rows) {
    const list = out.get(row.alert_id) ?? [];
    list.push({
      id: row.id,
      alertId: row.alert_id,
      staffId: row.staff_id,
      at: row.at,
      note: row.note,
    });
    out.set(row.alert_id, list);
  }
  return out;
}
