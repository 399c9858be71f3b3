import { LIMITS, type ReportInput } from '../clinical/case-schema.ts';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import { type Assessment, decidingReports, triage } from '../clinical/triage.ts';
import type { Disposition, Report } from '../clinical/types.ts';
import {
  type Alert,
  type AlertSeverity,
  insertAlert,
  raiseOpenAlertSeverity,
  severityRank,
} from '../store/alerts.repository.ts';
import {
  deferAuditAppends,
  guessFromOwnAuditHead,
  observeAuditHead,
} from '../store/audit.repository.ts';
import { readCheckInHistory, sendCheckInHistoryWithNext } from '../store/check-in-reads.ts';
import {
  type CheckInSource,
  compareReports,
  flushCheckInInserts,
  holdCheckInInserts,
  holdsCheckInInserts,
  insertAssessment,
  insertCheckIn,
  moveSessionsAlong,
  movesTriageVersions,
  type OrderedReport,
  SessionsMoved,
  type SessionVersions,
} from '../store/checkins.repository.ts';
import { type Db, dialectOf } from '../store/db.ts';
import { type GroupCommitOptions, withGroupCommit } from '../store/group-commit.ts';
import {
  findIdempotentResponse,
  type IdempotentResponse,
  saveIdempotentResponse,
} from '../store/idempotency.repository.ts';
import { preferGenericPlans } from '../store/pg-prepared.ts';
import { type CheckInContext, findSessionsForCheckIn } from '../store/sessions.repository.ts';
import { readWriteMark, sameWriteMark, type WriteMark } from '../store/write-mark.ts';
import type { LinkActor } from './actors.ts';
import { type AuditActor, auditActorOf, recordAudit } from './audit.ts';
import { cleanOptionalText } from './clean-text.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { KeptTriageState } from './kept-triage-state.ts';
import { linkState } from './links.ts';
import {
  type ActiveLink,
  type RefusedLinkState,
  refuseLink,
  requireOwnLink,
} from './patient-link.ts';
import { alertView, freshAssessmentView } from './schemas/views.ts';
import { sha256Hex } from './secrets.ts';

/** Clinic alert severity for each disposition above self-care (RULES.md "Dispositions"). */
export const ALERT_SEVERITY: Readonly<Record<Disposition, AlertSeverity | null>> = {
  self_care: null,
  contact_practitioner: 'routine',
  urgent_same_day: 'urgent',
  emergency: 'emergency',
};

/** The answer to a check-in, as the JSON API sends it and the pages read it. */
export type CheckInResult = Awaited<ReturnType<typeof writeCheckIn>>['body'];

export interface CheckInResponse {
  readonly status: number;
  readonly body: CheckInResult;
  /** True when this is the stored answer to an earlier request with the same key. */
  readonly replayed: boolean;
}

export interface SubmitCheckIn {
  /** The link the actor resolved (`resolvePatientLink`); the actor must hold it. */
  readonly link: ActiveLink;
  /** Already checked by the core's `validateReportInput` at the door. */
  readonly input: ReportInput;
  readonly source: CheckInSource;
  readonly idempotencyKey: string | undefined;
}

/** The note as the store keeps it: no control characters, trimmed, cut (decision 1201). */
function cleanReport(input: ReportInput): ReportInput {
  const note = cleanOptionalText(input.note, { max: LIMITS.maxNoteLength, multiline: true });
  const { note: _raw, ...rest } = input;
  return note === undefined ? rest : Object.assign(rest, { note });
}

/**
 * After a group has been written, the next one waits while turns of the event loop keep taking
 * in check-ins, up to this many (decision 1445). Clients answered by a group that send their
 * next check-in at once then join the next group instead of forming one of their own: with 32
 * connections, groups of ~30 instead of two alternating halves of ~16, and 5–8% more
 * check-ins/s at the median of paired windows in the same server (docs/performance.md).
 */
const GATHER_TURNS = 16;

/**
 * How long a small group of check-ins waits for more while they keep coming (decision 1476).
 * On the bench's machine every time the server's thread sleeps and wakes again costs it CPU,
 * and the work right after the wake runs slower; a group's fixed statements and its commit are
 * paid once per group. Two milliseconds is under a tenth of the 25 ms latency target.
 */
const LINGER_MS = 2;

/**
 * Check-ins are written in groups (decision 1010). Their audit events are chained once per
 * group, just before it commits (`deferAuditAppends`), and their check-in and assessment rows
 * are written with one insert per table (decision 1415; one statement for both on PostgreSQL).
 *
 * - SQLite: one group at a time per process (one connection). A group starts once the one
 *   before is durable, so everything that arrived meanwhile joins it. Starting it at the
 *   previous commit instead, with the fsync still running, made smaller groups and more
 *   fsyncs: 1,864–2,145 against 2,185–2,463 check-ins/s in alternating runs (decision 1426).
 * - PostgreSQL: one group at a time too, and a second one beside it only once the first has
 *   been out 50 ms (decision 1440). A group is two round trips since decision 1438, and
 *   fewer, larger groups cost less: two at a time made 1,950–2,823 check-ins/s against
 *   2,556–3,416 for one (slower in 10 of 10 alternating runs). The second slot keeps what two
 *   bought (decision 1426): a group held up by a row lock another writer holds does not hold up
 *   every other patient's check-in for longer than that. The same in every process of
 *   `serve --processes N` (it replaces decision 1437's one group per process).
 * - PostgreSQL only: after a group of 8 or more, the next one also waits for the clients that
 *   group answered while they keep coming in (decision 1449), so that a closed load's
 *   connections do not split into two halves taking turns. SQLite's never split in the same
 *   runs, and there the wait raised the p99 at a paced load (higher in 7 of 8 pairs).
 * - Both: while check-ins keep coming, a group of fewer than 12 waits until its first check-in
 *   has waited `LINGER_MS` (decision 1476). At half the bench's load, groups of 3–4 became 7–11
 *   and the server's thread took less time per check-in (in 14 of 14 alternating pairs).
 */
const SQLITE_GROUPS: GroupCommitOptions = {
  maxItems: 64,
  gatherTurns: GATHER_TURNS,
  lingerMs: LINGER_MS,
  lingerBelow: 12,
  // SQLite: the mark the group's last write leaves, read after it (decision 1469).
  deferred: (trx) => {
    const appends = deferAuditAppends(trx);
    return {
      mark: () => appends.mark(),
      rollbackTo: (mark) => appends.rollbackTo(mark),
      flush: async () => {
        await appends.flush();
        // Nothing of the transaction is written after this: its commit comes next.
        if (toKeep.has(trx)) endMarks.set(trx, await readWriteMark(trx));
      },
    };
  },
  // Two multi-row inserts per group for its check-ins and assessments (decision 1415).
  held: (trx) => {
    holdCheckInInserts(trx);
    // On PostgreSQL the rows' statement also appends the group's audit events (decision 1429),
    // or takes the audit head's lock for them (decision 1427).
    // The group commits right after this flush and the deferred appends it leaves (none when
    // the statement took them): the commit may go along (decision 1438), and then the rows go
    // first and the events behind them, chained while PostgreSQL writes the rows (decision 1470).
    return {
      flush: () => flushCheckInInserts(trx, { lockAuditHead: true, lastBeforeCommit: true }),
    };
  },
  prefetch: (trx, keys) => readGroup(trx, keys as string[]),
  // PostgreSQL: the state the group leaves, kept for the next check-ins (decision 1461).
  committed: keepGroup,
  // The keys are the items' session ids.
  abandoned: (db, keys, error) => {
    kept.forget(db, keys as string[]);
    if (error instanceof SessionsMoved) kept.missed(db);
  },
};
const POSTGRES_GROUPS: GroupCommitOptions = Object.assign({}, SQLITE_GROUPS, {
  deferred: deferAuditAppends,
  concurrency: 2,
  furtherGroupAfterMs: 50,
  // After a group of 8 or more, its clients are waited for while they keep coming in
  // (decision 1449): 0.3 ms without one ends the wait, 1.5 ms at most.
  gatherQuietMs: 0.3,
  gatherMaxMs: 1.5,
});
function groupsFor(deps: ServiceDeps): GroupCommitOptions {
  return dialectOf(deps.db) === 'postgres' ? POSTGRES_GROUPS : SQLITE_GROUPS;
}

/**
 * What a check-in reads before it writes, for one session: the session (locked on
 * PostgreSQL), the reports so far that decide its triage (the core's `decidingReports`,
 * decision 1413) and its open alert. A group reads these for all its sessions at once
 * (`readGroup`): the sessions, then `readCheckInHistory` (one statement on PostgreSQL,
 * decision 1427); each check-in of the group then adds its own
 * report and alert here, so a later check-in of the same session in the group sees them.
 */
interface SessionState {
  readonly found: CheckInContext;
  readonly reports: OrderedReport[];
  openAlert: Alert | undefined;
  /** The session's links by id, with when each was revoked (null: in force). */
  readonly linkRevocations: ReadonlyMap<string, string | null>;
}

/** Sessions by id; a session missing here does not exist. */
type GroupState = Map<string, SessionState>;

/**
 * Each session's state as this process's last commit of a check-in of it left it: on
 * PostgreSQL with the `triage_version` that commit moved it to (decision 1461); on SQLite
 * valid only while the database is where that process's last kept group left it (decision
 * 1469).
 */
const kept = new KeptTriageState<SessionState>();

/** Per transaction: its group's state and the version each session was read or kept at. */
const toKeep = new WeakMap<Db, { readonly state: GroupState; readonly at: SessionVersions }>();

/** SQLite, per transaction that keeps its state: the mark after its last write. */
const endMarks = new WeakMap<Db, WriteMark>();

/**
 * SQLite, per database handle (its adapter): the mark the last kept group's last write left.
 * A group that reads the same mark under the write lock knows nothing was written since, by
 * anyone, so everything kept is as that group left it.
 */
const keptMarks = new WeakMap<object, WriteMark>();

/** Per handle: groups that took their state from what was kept instead of reading. */
const keptUses = new WeakMap<object, number>();

function countKeptUse(db: Db): void {
  const adapter = db.getExecutor().adapter;
  keptUses.set(adapter, (keptUses.get(adapter) ?? 0) + 1);
}

/**
 * How many check-in groups on `db` took their state from what was kept instead of reading it
 * (tests, bench). On PostgreSQL a group whose kept state then proves stale counts too; it runs
 * again from a read.
 */
export function keptTriageStateUses(db: Db): number {
  return keptUses.get(db.getExecutor().adapter) ?? 0;
}

/**
 * When a session was performed, in milliseconds, parsed once per session read: kept state hands
 * the same read to each of the session's check-ins (decision 1486).
 */
const performedTimes = new WeakMap<CheckInContext, number>();

function performedMs(found: CheckInContext): number {
  let ms = performedTimes.get(found);
  if (ms === undefined) {
    ms = Date.parse(found.session.performedAt);
    performedTimes.set(found, ms);
  }
  return ms;
}

/** A copy of kept state that the group may change: its items add their reports and alert. */
function stateFromKept(
  ids: readonly string[],
  keptNow: readonly { readonly state: SessionState }[],
): GroupState {
  const state: GroupState = new Map();
  ids.forEach((id, i) => {
    const s = (keptNow[i] as { state: SessionState }).state;
    state.set(id, {
      found: s.found,
      reports: [...s.reports],
      openAlert: s.openAlert,
      linkRevocations: s.linkRevocations,
    });
  });
  return state;
}

/**
 * The group's state, for every session asked. A transaction that holds its rows back (a group's
 * first run, a group of one) on PostgreSQL moves its sessions' `triage_version` on in its rows
 * statement (decision 1461): from the version read under the lock, or, when every session's
 * state is kept from this process's last commit of it, from the kept version without reading
 * anything; the statement fails if another writer moved one since, and the group runs again
 * from a fresh read. The rerun with savepoints holds nothing, moves nothing itself and keeps
 * nothing: the database's triggers move its sessions' versions.
 */
async function readGroup(trx: Db, sessionIds: readonly string[]): Promise<GroupState> {
  await preferGenericPlans(trx);
  // Sorted: one order for the keys of the group's reads and kept state. The statements lock
  // the sessions in id order themselves (decision 1471).
  const ids = [...new Set(sessionIds)].sort();
  const holds = holdsCheckInInserts(trx);
  const moving = holds && dialectOf(trx) === 'postgres';
  // SQLite (decision 1469): kept state holds only if nothing was written since it was kept.
  const keeping = holds && !moving;
  if (keeping) {
    const adapter = trx.getExecutor().adapter;
    const fresh = sameWriteMark(await readWriteMark(trx), keptMarks.get(adapter));
    const keptNow = fresh ? kept.all(trx, ids) : undefined;
    if (!fresh) kept.clear(trx);
    if (keptNow !== undefined) {
      const state = stateFromKept(ids, keptNow);
      toKeep.set(trx, { state, at: { ids, versions: [] } });
      countKeptUse(trx);
      return state;
    }
  }
  if (moving) {
    await movesTriageVersions(trx);
    const keptNow = kept.all(trx, ids);
    if (keptNow !== undefined && guessFromOwnAuditHead(trx)) {
      const state = stateFromKept(ids, keptNow);
      const at = { ids, versions: keptNow.map((k) => k.version) };
      moveSessionsAlong(trx, at);
      toKeep.set(trx, { state, at });
      countKeptUse(trx);
      return state;
    }
  }
  // On PostgreSQL the opening, the lock and the history go in one round trip (decision 1433).
  // The history is read for every id asked: one whose session is missing has none.
  await sendCheckInHistoryWithNext(trx, ids);
  const sessions = await findSessionsForCheckIn(trx, ids);
  const { reports, openAlerts, auditHead, linkRevocations } = await readCheckInHistory(trx, ids);
  if (auditHead !== undefined) observeAuditHead(trx, auditHead);
  const state: GroupState = new Map();
  const at: { ids: string[]; versions: number[] } = { ids: [], versions: [] };
  for (const [id, found] of sessions) {
    state.set(id, {
      found,
      reports: reports.get(id) ?? [],
      openAlert: openAlerts.get(id),
      linkRevocations,
    });
    if (found.triageVersion !== undefined) {
      at.ids.push(id);
      at.versions.push(found.triageVersion);
    }
  }
  if (moving && at.ids.length > 0) {
    moveSessionsAlong(trx, at);
    toKeep.set(trx, { state, at });
  }
  if (keeping) toKeep.set(trx, { state, at: { ids: [...state.keys()], versions: [] } });
  return state;
}

/**
 * After the commit of a transaction that moved its sessions' versions (`readGroup`): keep each
 * session's state as the group left it, at the version the commit moved it to. Only the
 * reports that decide the next triage are kept (`decidingReports`): those of the last hour
 * reported and the last soreness before it, which the group's own reports may have replaced.
 */
function keepGroup(trx: Db): void {
  const group = toKeep.get(trx);
  if (group === undefined) return;
  toKeep.delete(trx);
  if (dialectOf(trx) === 'sqlite') {
    const mark = endMarks.get(trx);
    // No mark: the group did not get to its end the way it keeps state; keep nothing.
    if (mark === undefined) {
      kept.clear(trx);
      return;
    }
    keptMarks.set(trx.getExecutor().adapter, mark);
  }
  group.at.ids.forEach((id, i) => {
    const s = group.state.get(id);
    if (s === undefined) return;
    // SQLite keeps no version: its marks stand for every session at once.
    kept.keep(trx, id, (group.at.versions[i] ?? -1) + 1, {
      found: s.found,
      reports: decidingReports(s.reports),
      openAlert: s.openAlert,
      linkRevocations: s.linkRevocations,
    });
  });
}

/** One session's state: from the group's reads, or read now (a check-in on its own). */
async function sessionState(
  trx: Db,
  group: GroupState | undefined,
  sessionId: string,
): Promise<SessionState | undefined> {
  return (group ?? (await readGroup(trx, [sessionId]))).get(sessionId);
}

/** Thrown inside the transaction to roll it back when a concurrent request won the key. */
class KeyTaken extends Error {}

/** Thrown inside the transaction when the check-in's link no longer works (decision 1443). */
class LinkRefused extends Error {
  readonly state: RefusedLinkState;
  constructor(state: RefusedLinkState) {
    super(`the check-in's link is ${state}`);
    this.state = state;
  }
}

/**
 * Why the link may not take this check-in, read under the session's lock: revoked (or gone),
 * its clinic suspended, or past its expiry. The door checked the same before, but the link
 * may be one remembered from an earlier check-in (`resolvePatientLinkForCheckIn`), or have
 * been withdrawn since.
 */
function linkRefusal(
  link: ActiveLink,
  state: SessionState,
  now: Date,
): RefusedLinkState | undefined {
  const revokedAt = state.linkRevocations.get(link.id);
  if (revokedAt !== null) return 'revoked';
  if (linkState(link, now) === 'expired') return 'expired';
  if (state.found.clinic.suspendedAt !== null) return 'clinic_suspended';
  return undefined;
}

function requestHashOf(source: CheckInSource, input: ReportInput): string {
  return sha256Hex(
    JSON.stringify([source, input.soreness, [...input.symptoms].sort(), input.note ?? null]),
  );
}

function replay(prior: IdempotentResponse, requestHash: string): CheckInResponse {
  if (prior.requestHash !== requestHash) {
    throw new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different check-in.',
      {
        errors: [
          { field: 'headers.idempotency-key', message: 'already used with a different body' },
        ],
      },
    );
  }
  return { status: prior.statusCode, body: prior.response as CheckInResult, replayed: true };
}

/**
 * One check-in, straight through (docs/decisions/0200-check-in-path.md): in ONE transaction
 * that first locks the session, the hour from the injected clock → the case from the stored
 * reports that decide it (decision 1413) plus this one → `triage` → check-in, assessment, alert (created, or an open one
 * raised — never lowered or closed) with its `alertRaised` event (outbox), audit event and
 * idempotency record. The JSON API and the patient pages both call it.
 *
 * Concurrent check-ins share that transaction (group commit, decision 1010): each runs in its
 * own savepoint of one transaction, so N check-ins pay for one commit; each is answered only
 * once the transaction has committed, and one that fails rolls back alone.
 */
export async function submitCheckIn(
  deps: ServiceDeps,
  actor: LinkActor,
  req: SubmitCheckIn,
): Promise<CheckInResponse> {
  requireOwnLink(actor, req.link);
  const { db, clock } = deps;
  const { link, source, idempotencyKey } = req;
  const input = cleanReport(req.input);
  // Not `{ ...req, input }`: a spread copy given more properties lives too long (decision 1446).
  const cleaned: SubmitCheckIn = Object.assign({}, req, { input });
  const scope = `check-in:${link.sessionId}`;
  // Only a request with a key is compared with an earlier one.
  const requestHash = idempotencyKey === undefined ? '' : requestHashOf(source, input);
  if (idempotencyKey !== undefined) {
    const prior = await findIdempotentResponse(db, scope, idempotencyKey);
    if (prior !== undefined) return replay(prior, requestHash);
  }
  try {
    return await withGroupCommit(
      db,
      'check-in',
      async (trx, group) => {
        const response = await writeCheckIn(
          trx,
          deps,
          auditActorOf(actor),
          cleaned,
          group as GroupState | undefined,
        );
        if (idempotencyKey !== undefined) {
          const saved = await saveIdempotentResponse(trx, {
            scope,
            key: idempotencyKey,
            requestHash,
            statusCode: response.status,
            response: response.body,
            createdAt: clock.now(),
          });
          if (!saved) throw new KeyTaken();
        }
        return response;
      },
      groupsFor(deps),
      link.sessionId,
      deps.answersHeldUntilDurable === true ? 'commit' : 'durable',
    );
  } catch (error) {
    if (error instanceof LinkRefused) throw await refuseLink(deps, actor, link, error.state);
    if (!(error instanceof KeyTaken) || idempotencyKey === undefined) throw error;
    const prior = await findIdempotentResponse(db, scope, idempotencyKey);
    if (prior === undefined) throw error;
    return replay(prior, requestHash);
  }
}

/**
 * The emergency button ("I have chest pain or can't breathe"): a chest-pain check-in. Soreness
 * was not asked, so none is stored (RULES.md v1.1): the chart marks the report off the curve.
 */
export async function pressEmergencyButton(
  deps: ServiceDeps,
  actor: LinkActor,
  input: { readonly link: ActiveLink; readonly idempotencyKey: string | undefined },
): Promise<CheckInResponse> {
  // The button's keys live apart from check-in keys, so a key once used for a check-in never
  // refuses an emergency; the same key pressed again replays the one recorded emergency.
  return submitCheckIn(deps, actor, {
    link: input.link,
    input: { soreness: null, symptoms: ['chest_pain'] },
    source: 'emergency_button',
    idempotencyKey:
      input.idempotencyKey === undefined ? undefined : `emergency:${input.idempotencyKey}`,
  });
}

async function writeCheckIn(
  trx: Db,
  deps: ServiceDeps,
  actor: AuditActor,
  req: SubmitCheckIn,
  group: GroupState | undefined,
) {
  const { clock } = deps;
  const { link, input, source } = req;
  // The session (locked on PostgreSQL) with its sites and clinic, its reports and open alert:
  // read by the group for all its check-ins at once, or now for this one.
  const state = await sessionState(trx, group, link.sessionId);
  if (state === undefined || state.found.session.clinicId !== link.clinicId)
    throw new AppError('not_found', 'This link is not valid.');
  const { session, clinic } = state.found;
  const now = clock.now();
  // The emergency button's door decides for itself: it may accept a link within its grace.
  if (source !== 'emergency_button') {
    const refused = linkRefusal(link, state, now);
    if (refused !== undefined) throw new LinkRefused(refused);
  }
  const hoursAfter = Math.max(0, (now.getTime() - performedMs(state.found)) / HOUR_MS);
  const reports: Report[] = state.reports.map(({ hoursAfter, soreness, symptoms }) => ({
    hoursAfter,
    soreness,
    symptoms,
  }));
  reports.push({ hoursAfter, soreness: input.soreness, symptoms: input.symptoms });
  const sites = session.sites.map((s) =>
    s.side === null ? { muscle: s.muscle } : { muscle: s.muscle, side: s.side },
  );
  const decided = triage({ session: { sites }, reports }, RULEBOOK_V1);

  const checkIn = await insertCheckIn(trx, {
    sessionId: session.id,
    clinicId: session.clinicId,
    receivedAt: now,
    hoursAfter,
    soreness: input.soreness,
    symptoms: input.symptoms,
    note: input.note ?? null,
    source,
  });
  const stored = await insertAssessment(trx, {
    checkInId: checkIn.id,
    sessionId: session.id,
    clinicId: session.clinicId,
    disposition: decided.disposition,
    rules: decided.ruleIds,
    rulebookVersion: decided.rulebookVersion,
    phase: decided.phase,
    thoracic: decided.thoracic,
    createdAt: now,
  });
  const openAlert = await raiseAlert(
    trx,
    deps,
    actor,
    session,
    stored.id,
    decided,
    state.openAlert,
  );
  // For the check-ins after this one in the group, in the order a fresh read would give
  // (almost always at the end: sorted only when it is not).
  const mine: OrderedReport = {
    id: checkIn.id,
    receivedAt: checkIn.receivedAt,
    hoursAfter: checkIn.hoursAfter,
    soreness: checkIn.soreness,
    symptoms: [...checkIn.symptoms],
  };
  const last = state.reports.at(-1);
  state.reports.push(mine);
  if (last !== undefined && compareReports(last, mine) > 0) state.reports.sort(compareReports);
  state.openAlert = openAlert;
  await recordAudit(trx, clock, actor, {
    action: source === 'emergency_button' ? 'check_in.emergency' : 'check_in.create',
    subjectType: 'check_in',
    subjectId: checkIn.id,
    patientId: session.patientId,
    details: {
      sessionId: session.id,
      disposition: decided.disposition,
      rules: decided.ruleIds,
      rulebookVersion: decided.rulebookVersion,
    },
  });
  return {
    status: 201,
    replayed: false as const,
    body: {
      checkIn: {
        id: checkIn.id,
        receivedAt: checkIn.receivedAt,
        hoursAfter: checkIn.hoursAfter,
        soreness: checkIn.soreness,
        symptoms: checkIn.symptoms,
        source: checkIn.source,
      },
      assessment: freshAssessmentView(stored, decided),
      openAlert: openAlert === undefined ? null : alertView(openAlert),
      clinic: {
        name: clinic.name,
        emergencyNumber: clinic.emergencyNumber,
        contactPhone: clinic.contactPhone,
      },
    },
  };
}

/**
 * Above self-care: open an alert, or raise the session's open one. No silent downgrade: a
 * lower disposition leaves an open alert as it is (severity and status). Returns the
 * session's open alert after the write, if any.
 */
async function raiseAlert(
  trx: Db,
  { clock, events }: ServiceDeps,
  actor: AuditActor,
  session: { readonly id: string; readonly clinicId: string; readonly patientId: string },
  assessmentId: string,
  decided: Assessment,
  open: Alert | undefined,
): Promise<Alert | undefined> {
  const { id: sessionId, clinicId, patientId } = session;
  const severity = ALERT_SEVERITY[decided.disposition];
  if (severity === null) return open;
  const now = clock.now();
  let alert: Alert | undefined = open;
  let action: 'alert.create' | 'alert.raise' | undefined;
  if (open === undefined) {
    alert = await insertAlert(trx, {
      clinicId,
      sessionId,
      patientId,
      assessmentId,
      severity,
      createdAt: now,
    });
    action = 'alert.create';
  } else if (severityRank(severity) > severityRank(open.severity)) {
    alert = await raiseOpenAlertSeverity(trx, clinicId, open.id, severity, assessmentId);
    action = 'alert.raise';
  }
  if (alert !== undefined && action !== undefined) {
    await events.alertRaised?.(trx, {
      alert,
      type: action === 'alert.create' ? 'alert.created' : 'alert.raised',
      previousSeverity: open?.severity ?? null,
      at: now,
    });
    await recordAudit(trx, clock, actor, {
      action,
      subjectType: 'alert',
      subjectId: alert.id,
      patientId,
      details: { severity: alert.severity, ...(open === undefined ? {} : { from: open.severity }) },
    });
  }
  return alert;
}
