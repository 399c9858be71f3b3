import { createHash, createHmac } from 'node:crypto';
import { CompiledQuery, type QueryCreator, sql } from 'kysely';
import { builtOnce, type OneParameter, oneParameter } from './built-once.ts';
import { insertRowsInBulk } from './bulk.repository.ts';
import { canonicalJson, type InstantInput, parseJson, toIso } from './codec.ts';
import { type Db, dialectOf, withTransaction } from './db.ts';
import { isPlannedCastFailure } from './db-errors.ts';
import { RunGroupAgain } from './group-commit.ts';
import { timeOrderedId } from './ids.ts';
import { findKey, type KeySet, keysOf } from './keyring.ts';
import { sendNow, sendWithNext } from './pg-prepared.ts';
import type { AuditEventRow, Database } from './schema.ts';

export type AuditActorType = 'staff' | 'patient_link' | 'api_token' | 'system' | 'anonymous';

/** A transaction's end, sent ahead behind its last statement (`sendWithNext`). */
const COMMIT = CompiledQuery.raw('commit');

/** The hash before the first event (of every lane). */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The audit log is one chain per lane (decision 1473): each lane has its own head row in
 * `audit_head` (its id is the lane) and its own stretch of `seq`, so writers on different lanes
 * never wait for each other's head. Lane 1 holds seq 1 onwards (every event written before
 * lanes); lane k holds (k − 1)·2^40 + 1 onwards, and its empty head is at (k − 1)·2^40. The
 * seq, part of every hashed event, names the lane: an event cannot move to another.
 */
export const AUDIT_LANES = 1024;
export const AUDIT_LANE_SPAN = 2 ** 40;

/** The seq of lane `lane`'s empty head: its first event is the one after. */
export function auditLaneBase(lane: number): number {
  return (lane - 1) * AUDIT_LANE_SPAN;
}

/** The lane a seq (or an empty head's seq) belongs to. */
export function auditLaneOfSeq(seq: number): number {
  return Math.floor(seq / AUDIT_LANE_SPAN) + 1;
}

/** Per database (its adapter): the lane its appends go to (`openAuditLane`); 1 by default. */
const lanes = new WeakMap<object, number>();

/** The lane this handle's appends go to. */
export function auditLaneOf(db: Db): number {
  return lanes.get(db.getExecutor().adapter) ?? 1;
}

/**
 * From now on this handle (and its transactions) appends to lane `lane`, whose head row is made
 * if it is missing. `serve --processes N` on PostgreSQL gives each server process a lane of its
 * own, so that their check-in groups do not overtake each other's guess of one head (decision
 * 1473). Which lane a writer uses is only a matter of speed: writers on one lane queue on its
 * head's lock.
 */
export async function openAuditLane(db: Db, lane: number): Promise<void> {
  if (!Number.isInteger(lane) || lane < 1 || lane > AUDIT_LANES) {
    throw new RangeError(`audit lane must be a whole number from 1 to ${AUDIT_LANES}: ${lane}`);
  }
  await db
    .insertInto('audit_head')
    .values({ id: lane, last_seq: auditLaneBase(lane), last_hash: AUDIT_GENESIS_HASH })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const adapter = db.getExecutor().adapter;
  if (lanes.get(adapter) !== lane) expectedHeads.delete(adapter);
  lanes.set(adapter, lane);
}

export interface NewAuditEvent {
  readonly at: InstantInput;
  readonly clinicId?: string | null;
  readonly actorType: AuditActorType;
  readonly actorId?: string | null;
  /** Verb-like, e.g. `alert.acknowledge`, `checkin.create`, `patient.read`. */
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId?: string | null;
  readonly ip?: string | null;
  /** Small JSON object; never put secrets or free-text clinical notes here. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEvent {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly clinicId: string | null;
  readonly actorType: AuditActorType;
  readonly actorId: string | null;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly ip: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
  /** The HMAC key that made `hash`; null for an event of the unkeyed (pre-0002) chain. */
  readonly keyId: string | null;
}

/**
 * The guarantee a verification found broken:
 * - `row-integrity`: an event's content no longer matches its MAC (an edited row);
 * - `completeness`: events are missing (a deleted row, or the tail cut below the head);
 * - `order`: an event does not link to the one before it, or lies beyond the head (inserted,
 *   reordered, or spliced rows);
 * - `keyed-chain`: an unkeyed event after keyed ones (the chain was re-written without the key),
 *   or an event made with a key this verifier does not hold;
 * - `checkpoint-truncation`: the chain ends before a signed checkpoint (rows and head cut back);
 * - `checkpoint-rechained`: the event at a checkpoint's seq has another hash (the chain was
 *   recomputed from some point on);
 * - `checkpoint-signature`: a checkpoint does not verify with the audit key (forged or altered).
 */
export type AuditGuarantee =
  | 'row-integrity'
  | 'completeness'
  | 'order'
  | 'keyed-chain'
  | 'checkpoint-truncation'
  | 'checkpoint-rechained'
  | 'checkpoint-signature';

export interface AuditChainReport {
  readonly ok: boolean;
  readonly checked: number;
  /** Lanes walked (decision 1473), when the chain holds and has more than lane 1. */
  readonly lanes?: number;
  /** Events at the start of the chain made before it was keyed (plain SHA-256 links). */
  readonly unkeyed?: number;
  readonly firstBadSeq?: number;
  readonly guarantee?: AuditGuarantee;
  readonly reason?: string;
}

type HashedFields = Omit<AuditEventRow, 'prev_hash' | 'hash'>;

/**
 * The hashed text of one event: a JSON array in fixed column order (so key order cannot
 * matter), with `details_json` as stored (written canonically, key-sorted).
 */
function canonicalEvent(row: HashedFields): string {
  return JSON.stringify([
    Number(row.seq),
    row.id,
    row.at,
    row.clinic_id,
    row.actor_type,
    row.actor_id,
    row.action,
    row.subject_type,
    row.subject_id,
    row.ip,
    row.details_json,
  ]);
}

/** The unkeyed link of events written before migration 0002: anyone can recompute it. */
function legacyHash(prevHash: string, row: HashedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(row)).digest('hex');
}

/**
 * The keyed link: HMAC-SHA256 under the audit key named by `key_id`, over a version label, the
 * key id, the previous hash and the event. Without the key nobody can recompute it, so an insider
 * who can write the database cannot edit a row and re-chain the rest.
 */
function keyedHash(key: Buffer, keyId: string, prevHash: string, row: HashedFields): string {
  // One update: the same bytes as two, one call into OpenSSL fewer per event (decision 1486).
  return createHmac('sha256', key)
    .update(`needlecare-audit-v2\0${keyId}\0${prevHash}\0${canonicalEvent(row)}`)
    .digest('hex');
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    clinicId: row.clinic_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    ip: row.ip,
    details: parseJson<Record<string, unknown>>(row.details_json),
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
  };
}

/**
 * Append one event to the keyed chain: `hash = HMAC(audit key, prev_hash + canonical event)`,
 * with a gapless `seq`. The key comes from the handle (`withKeys`); a handle without keys
 * throws rather than write an unprotected event. Runs in the caller's transaction (or its own),
 * so the event commits or rolls back with the write it records. The audit_head row serialises
 * appenders: on PostgreSQL it is read `FOR UPDATE`, so concurrent writers queue instead of
 * forking the chain; on SQLite every transaction begins IMMEDIATE, holding the database write
 * lock before anything is read.
 */
export async function appendAuditEvent(db: Db, event: NewAuditEvent): Promise<AuditEvent> {
  // The event is the whole transaction when the caller gave no transaction of its own. On
  // PostgreSQL it keeps out of the way of this process's check-in groups' guesses of the head
  // (decision 1474).
  if (!db.isTransaction && dialectOf(db) === 'postgres')
    return asLoneAppend(db, () => appendInTransaction(db, event, true));
  return appendInTransaction(db, event, !db.isTransaction);
}

async function appendInTransaction(
  db: Db,
  event: NewAuditEvent,
  alone: boolean,
): Promise<AuditEvent> {
  const key = keysOf(db).audit.current;
  const lane = auditLaneOf(db);
  return withTransaction(db, async (trx) => {
    let head: { last_seq: number; last_hash: string } | undefined = takeLockedAuditHead(trx);
    if (head !== undefined) {
      // Locked and read already, by an earlier statement of this transaction (decision 1427).
    } else if (dialectOf(trx) === 'postgres') {
      head = await trx
        .selectFrom('audit_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', lane)
        .forUpdate()
        .executeTakeFirst();
    } else {
      // `withTransaction` begins IMMEDIATE on SQLite: this transaction already holds the only
      // write lock, so a plain read of the head cannot be overtaken (decision 0801).
      head = await trx
        .selectFrom('audit_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', lane)
        .executeTakeFirst();
    }
    if (!head) throw new Error(`audit_head row of lane ${lane} missing: run migrations`);

    const from = { seq: Number(head.last_seq), hash: head.last_hash };
    const row = chainEvents(key, [event], from).rows[0] as AuditEventRow;
    if (dialectOf(trx) === 'postgres') {
      expectAuditHead(trx, { seq: row.seq, hash: row.hash });
      // Nothing follows this statement in a transaction of the event's own (a page's read
      // audit): its commit goes right behind it, in the same round trip (decision 1457). If the
      // statement fails, PostgreSQL answers the commit with a rollback.
      if (alone) await sendWithNext(trx, COMMIT);
      // One round trip instead of two while the head is locked (decision 1011): PostgreSQL
      // runs a data-modifying WITH whether or not the outer statement reads it.
      await trx
        .with('appended', (qc) => qc.insertInto('audit_events').values(row))
        .updateTable('audit_head')
        .set({ last_seq: row.seq, last_hash: row.hash })
        .where('id', '=', lane)
        .execute();
    } else {
      await trx.insertInto('audit_events').values(row).execute();
      await trx
        .updateTable('audit_head')
        .set({ last_seq: row.seq, last_hash: row.hash })
        .where('id', '=', lane)
        .execute();
    }
    return toAuditEvent(row);
  });
}

/**
 * `appendAuditEvent`, unless this transaction holds its events back (`deferAuditAppends`):
 * then the event joins them, to be chained when the transaction flushes them. What services
 * record through (`recordAudit`).
 */
export async function recordAuditEvent(db: Db, event: NewAuditEvent): Promise<void> {
  const held = deferredAppends.get(db);
  if (held !== undefined) held.push(event);
  else await appendAuditEvent(db, event);
}

/** Transactions whose appends wait for `flush` (`deferAuditAppends`). */
const deferredAppends = new WeakMap<Db, NewAuditEvent[]>();

/** The appends of one transaction, held back to be chained all at once before it commits. */
export interface DeferredAuditAppends {
  /** How many are held (a savepoint's mark). */
  mark(): number;
  /** Drop those held after `mark` (their savepoint was rolled back). */
  rollbackTo(mark: number): void;
  /**
   * Chain and insert every held event, in order, under the head lock (`appendAuditEventsInBulk`),
   * and stop holding: call last before the commit, in the same transaction.
   */
  flush(): Promise<void>;
}

/**
 * From now on `recordAuditEvent(trx, …)` in this transaction holds its events back, and
 * `flush` appends them in one stretch of the chain (decision 1010). For a group commit: the
 * chain's head is then locked for a moment at the end of the transaction instead of from each
 * write's first append to the commit, so groups on PostgreSQL no longer queue on it, and a group
 * of N check-ins reads and writes the head once instead of N times. The events, their order and
 * their transaction are the same as appended one by one. `appendAuditEvent` itself still appends
 * at once (its caller wants the seq and hash).
 */
export function deferAuditAppends(trx: Db): DeferredAuditAppends {
  const held: NewAuditEvent[] = [];
  deferredAppends.set(trx, held);
  return {
    mark: () => held.length,
    rollbackTo: (mark) => {
      held.length = mark;
    },
    flush: async () => {
      deferredAppends.delete(trx);
      // One event (a group of one self-care check-in): the single append is a round trip
      // shorter on PostgreSQL (head FOR UPDATE, then insert and head update in one statement).
      const only = held.length === 1 ? held[0] : undefined;
      if (only !== undefined) await appendAuditEvent(trx, only);
      else await appendAuditEventsInBulk(trx, held);
    },
  };
}

/**
 * Append many events in order, in one transaction, as one stretch of the keyed chain: the same
 * rows `appendAuditEvent` would write one by one, with multi-row inserts. For bulk loads (the
 * scale benchmark's seed); the chain stays verifiable.
 */
export async function appendAuditEventsInBulk(
  db: Db,
  events: readonly NewAuditEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const key = keysOf(db).audit.current;
  const lane = auditLaneOf(db);
  return withTransaction(db, async (trx) => {
    const head = takeLockedAuditHead(trx) ?? (await lockAuditHead(trx, { lane }))[0];
    if (!head) throw new Error(`audit_head row of lane ${lane} missing: run migrations`);
    const { rows, head: newHead } = chainEvents(key, events, {
      seq: Number(head.last_seq),
      hash: head.last_hash,
    });
    if (dialectOf(trx) === 'postgres') expectAuditHead(trx, newHead);
    if (rows.length <= GROUP_EVENTS) {
      // A group's events, with statements built once per number of events (decision 1425).
      if (dialectOf(trx) === 'postgres')
        await appendRowsMovingHead(trx, { rows, head: newHead, lane });
      else {
        await insertAuditRows(trx, rows);
        await moveAuditHead(trx, { head: newHead, lane });
      }
      return rows.length;
    }
    const columns = Object.keys(rows[0] ?? {}).length;
    if (dialectOf(trx) === 'postgres' && rows.length * columns <= PG_ONE_STATEMENT_PARAMETERS) {
      await trx.executeQuery(appendRowsMovingHead.build(trx, { rows, head: newHead, lane }));
      return rows.length;
    }
    await insertRowsInBulk(trx, 'audit_events', rows);
    await moveAuditHead(trx, { head: newHead, lane });
    return rows.length;
  });
}

/** At most this many events (a check-in group's) are appended with statements built once. */
const GROUP_EVENTS = 256;

/** A position of the chain: the last event's `seq` and hash. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** `events` as rows of the chain after `from`, and the head they leave. */
function chainEvents(
  key: { readonly id: string; readonly key: Buffer },
  events: readonly NewAuditEvent[],
  from: ChainHead,
): { rows: AuditEventRow[]; head: ChainHead } {
  let seq = from.seq;
  let prevHash = from.hash;
  const rows = events.map((event): AuditEventRow => {
    seq += 1;
    const fields: HashedFields = {
      seq,
      id: timeOrderedId(),
      at: toIso(event.at),
      clinic_id: event.clinicId ?? null,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      subject_type: event.subjectType,
      subject_id: event.subjectId ?? null,
      ip: event.ip ?? null,
      details_json: canonicalJson(event.details ?? {}),
      key_id: key.id,
    };
    const hash = keyedHash(key.key, key.id, prevHash, fields);
    // Added to the fields, not spread into a copy: one per event of every write (decision 1446).
    const row: AuditEventRow = Object.assign(fields, { prev_hash: prevHash, hash });
    prevHash = hash;
    return row;
  });
  // A lane holds 2^40 events; the next seq would be the next lane's.
  if (auditLaneOfSeq(seq) !== auditLaneOfSeq(from.seq)) {
    throw new Error(`audit lane ${auditLaneOfSeq(from.seq)} is full`);
  }
  return { rows, head: { seq, hash: prevHash } };
}

/**
 * Per database (its adapter, shared by its transactions): the head the last append sent on it
 * moves the chain to. PostgreSQL only. The next check-in group chains its events from there
 * before it knows the head (`appendDeferredAlong`); when another writer came between, the
 * guess is wrong and the group chains again from the real head.
 */
const expectedHeads = new WeakMap<object, ChainHead>();

function expectAuditHead(db: Db, head: ChainHead): void {
  expectedHeads.set(db.getExecutor().adapter, head);
}

/**
 * A statement that would have moved the chain to `head` failed (decision 1461): the next group
 * on the handle must not guess from there. Unless a later append has been expected since.
 */
function forgetExpectedHead(db: Db, head: ChainHead): void {
  const adapter = db.getExecutor().adapter;
  if (expectedHeads.get(adapter) === head) expectedHeads.delete(adapter);
}

/**
 * Per database (its adapter), PostgreSQL: this process's lone events in flight, and the check-in
 * groups between their guess of the head and their statement's answer (decision 1474).
 */
interface OwnAppends {
  lone: number;
  readonly guessing: Set<Promise<void>>;
}
const ownAppends = new WeakMap<object, OwnAppends>();

function ownAppendsOf(db: Db): OwnAppends {
  const adapter = db.getExecutor().adapter;
  let own = ownAppends.get(adapter);
  if (own === undefined) {
    own = { lone: 0, guessing: new Set() };
    ownAppends.set(adapter, own);
  }
  return own;
}

/**
 * A lone event of this process (a page view's) must not overtake a check-in group's guess of
 * the head (decision 1474): while one is in flight, groups do not guess (they take the head's
 * lock first, a statement more, and no pause follows); and it waits for the groups already
 * guessing until their statements hold the head's lock. Groups never wait here, and nothing
 * waits for a lone event that has not begun, so no wait of this process's closes a circle
 * with PostgreSQL's locks.
 */
async function asLoneAppend<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const own = ownAppendsOf(db);
  own.lone += 1;
  try {
    if (own.guessing.size > 0) await Promise.all(own.guessing);
    return await fn();
  } finally {
    own.lone -= 1;
  }
}

/**
 * After a wrong guess, this many groups on the handle take the head's lock instead of guessing
 * (decision 1429). Another process writing the same chain makes most guesses wrong, and a
 * wrong guess waits for the head's lock twice; one process alone is rarely wrong.
 */
export const GROUPS_WITHOUT_GUESS_AFTER_A_MISS = 16;

/** Per database (its adapter): groups left before the next guess. */
const guessPauses = new WeakMap<object, number>();

/** Whether to guess the head for this group, counting down a pause after a wrong guess. */
function guessing(db: Db): boolean {
  const adapter = db.getExecutor().adapter;
  const left = guessPauses.get(adapter) ?? 0;
  if (left === 0) return true;
  guessPauses.set(adapter, left - 1);
  return false;
}

/** Per transaction: the head as committed when the transaction read it (`observeAuditHead`). */
const observedHeads = new WeakMap<Db, ChainHead>();

/**
 * PostgreSQL: `head` is the chain's head as committed, read (unlocked) earlier in this
 * transaction: the check-in group's history read carries it at no extra round trip. The
 * group's append then guesses from it, or from the head this process's own appends, still
 * being committed, will leave, whichever is further on the chain (decision 1435). It is wrong
 * only when another writer commits between that read and the append; it is still only a guess,
 * checked under the head's lock.
 */
export function observeAuditHead(trx: Db, head: ChainHead): void {
  observedHeads.set(trx, head);
}

/**
 * PostgreSQL: `trx` read nothing before its append (a check-in group on kept state, decision
 * 1461), so its append guesses from the head this handle's last append left, as if it had read
 * it (`observeAuditHead`), and may send its commit along. It is wrong when another writer, or
 * another group of this process still in flight, appended since; like any guess it is checked
 * under the head's lock, and a wrong one runs the group again. False, guessing nothing, when
 * this handle has appended nothing yet or is within a pause after a wrong guess: the
 * transaction should then read the head with its history instead.
 */
export function guessFromOwnAuditHead(trx: Db): boolean {
  const adapter = trx.getExecutor().adapter;
  const own = expectedHeads.get(adapter);
  // Within a pause after a wrong guess the append would lock the head in one statement and
  // append in another: a round trip more than reading the head with the history.
  if (own === undefined || (guessPauses.get(adapter) ?? 0) > 0) return false;
  observedHeads.set(trx, own);
  return true;
}

/**
 * The head to guess for `trx`'s append: observed or expected, the later of the two. `settled`:
 * it is the head as read in this transaction, with none of this process's appends in flight
 * beyond it (only another writer can make it wrong).
 */
function headToGuess(trx: Db): {
  head: ChainHead | undefined;
  observed: boolean;
  settled: boolean;
} {
  const expected = expectedHeads.get(trx.getExecutor().adapter);
  const observed = observedHeads.get(trx);
  if (observed === undefined) return { head: expected, observed: false, settled: false };
  observedHeads.delete(trx);
  // Seqs only grow along the chain: an expected head further on is one of this process's
  // appends not yet committed when the head was read.
  const pending = expected !== undefined && expected.seq > observed.seq;
  return { head: pending ? expected : observed, observed: true, settled: !pending };
}

/** The columns of an optimistic append: one array per column, in `AUDIT_COLUMNS` order. */
export interface OptimisticAppend {
  /** The head the events were chained from: they go in only if it still is the head. */
  readonly expected: ChainHead;
  /** The head after them. */
  readonly next: ChainHead;
  readonly columns: readonly OneParameter[];
}

const AUDIT_COLUMNS = [
  'seq',
  'id',
  'at',
  'clinic_id',
  'actor_type',
  'actor_id',
  'action',
  'subject_type',
  'subject_id',
  'ip',
  'details_json',
  'key_id',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditEventRow)[];

/**
 * `qc` with the optimistic append to lane `lane` in its `WITH` (decisions 1429, 1434, 1473):
 * `locked_head` waits for the lane head's lock and reads the head as the writer before left it;
 * `moved_head` moves it from `a.expected` to `a.next` only if that is what `locked_head` read;
 * `appended_events` inserts the events only if it moved. Pair it with `auditHeadLockUnlessMoved`
 * as the statement's main part.
 *
 * The guess is compared with the locked read, not in `moved_head`'s own `WHERE`: an update
 * compares its `WHERE` with the row as the statement's snapshot saw it, before the wait, so a
 * guess of the head that a writer still holding the lock moved it to (the other group of this
 * process, not yet committed) never matched there.
 */
export function withOptimisticAppend(
  qc: QueryCreator<Database>,
  a: OptimisticAppend,
  lane: number,
) {
  const [seq, ...texts] = a.columns;
  return qc
    .with('locked_head', (q) =>
      q
        .selectFrom('audit_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', lane)
        .forUpdate(),
    )
    .with('moved_head', (q) =>
      q
        .updateTable('audit_head')
        .set({ last_seq: a.next.seq, last_hash: a.next.hash })
        .where('id', '=', lane)
        .where(sql`(select last_seq from locked_head)`, '=', a.expected.seq)
        .where(sql`(select last_hash from locked_head)`, '=', a.expected.hash)
        .returning('last_seq'),
    )
    .with('appended_events', (q) =>
      q
        .insertInto('audit_events')
        .columns(AUDIT_COLUMNS)
        .expression(
          sql`select * from unnest(${seq}::bigint[], ${sql.join(
            texts.map((column) => sql`${column}::text[]`),
          )}) where exists (select 1 from moved_head)`,
        ),
    ) as unknown as QueryCreator<Database>;
}

/**
 * The events alone, when the commit goes right behind them (`appendDeferredAlong` with
 * `beforeCommit`): a wrong guess fails the statement.
 */
const appendBeforeCommit = builtOnce((db, a: { audit: OptimisticAppend; lane: number }) =>
  auditHeadFailsUnlessMoved(withOptimisticAppend(db, a.audit, a.lane)),
);

/** The main part beside `withOptimisticAppend`: the head as locked, only if it did not move. */
export function auditHeadLockUnlessMoved(qc: QueryCreator<Database>) {
  return (qc as unknown as QueryCreator<Database & { locked_head: LockedAuditHead }>)
    .selectFrom('locked_head')
    .select(['last_seq', 'last_hash'])
    .where(sql<boolean>`not exists (select 1 from moved_head)`);
}

/**
 * What the statement of `auditHeadFailsUnlessMoved` says when the guess was wrong (the start
 * of PostgreSQL's message: the text it could not read as an integer).
 */
const HEAD_MOVED = 'needlecare: the audit head moved from the guess';

/**
 * The main part beside `withOptimisticAppend` when the commit is sent along with the statement
 * (decision 1438): no row when the events went in; when the head had moved, the statement
 * fails, so the transaction aborts and the commit behind it only rolls it back. SQL has no
 * `raise`: the failure is a cast to integer of a text naming it (SQLSTATE 22P02), built from the
 * head's own seq so that PostgreSQL cannot evaluate it while planning.
 */
export function auditHeadFailsUnlessMoved(qc: QueryCreator<Database>) {
  return (qc as unknown as QueryCreator<Database & { locked_head: LockedAuditHead }>)
    .selectFrom('locked_head')
    .select([
      sql<number>`cast(${sql.lit(`${HEAD_MOVED} at seq `)} || last_seq as integer)`.as('last_seq'),
      'last_hash',
    ])
    .where(sql<boolean>`not exists (select 1 from moved_head)`);
}

/** A write of the transaction that also appends its held audit events (`appendDeferredAlong`). */
export type AlongStatement<A> = (
  trx: Db,
  args: A & { lane: number; audit?: OptimisticAppend },
) => Promise<LockedAuditHead[]>;

/**
 * PostgreSQL, at the end of a check-in group: run `statement`, another write of this
 * transaction, so that it also appends the events the transaction holds back
 * (`deferAuditAppends`), one round trip instead of two (decision 1429).
 *
 * - The events are chained from the head this handle last moved the chain to
 *   (`expectedHeads`). `statement` gets `lane` (the handle's, `openAuditLane`) always, and
 *   must carry `withOptimisticAppend(…, audit, lane)` and end in `auditHeadLockUnlessMoved`;
 *   it then returns no row when the events went in.
 * - If the head had moved on, the statement returns it, locked: the events are chained again
 *   from it and appended in one more statement; with `beforeCommit` given, the commit goes
 *   right behind that statement, in its round trip (decision 1472).
 * - With no expected head yet, too many events, or within `GROUPS_WITHOUT_GUESS_AFTER_A_MISS`
 *   groups of a wrong guess, `statement` gets no `audit`: it must then end in
 *   `auditHeadLockQuery(…, lane)`, and the head it returns is used by the transaction's
 *   deferred append, as with `rememberLockedAuditHead`.
 * - `beforeCommit`, when given, is the same write as `statement`'s own, without the events:
 *   the caller will run nothing in the transaction after it but its commit. It then goes to
 *   the server at once, before the events are chained, and PostgreSQL runs it while they are
 *   (decision 1470); the events follow in a statement of their own ending in
 *   `auditHeadFailsUnlessMoved`, with the commit right behind it (decision 1438), both sent
 *   without waiting for the write's answer. A wrong guess fails the events' statement, the
 *   commit only rolls the transaction back, and `RunGroupAgain` asks for the group to run
 *   again; a failed write fails everything behind it, and its own error is thrown. Used only
 *   when guessing from the head the transaction read, with no append of this process in
 *   flight beyond it, and outside a pause after a miss.
 */
export async function appendDeferredAlong<A>(
  trx: Db,
  statement: AlongStatement<A>,
  args: A,
  beforeCommit?: () => CompiledQuery,
): Promise<void> {
  // From its guess until its statement holds the head's lock, this process's lone events wait
  // (decision 1474).
  const own = ownAppendsOf(trx);
  let answered = () => {};
  const window = new Promise<void>((resolve) => {
    answered = resolve;
  });
  own.guessing.add(window);
  try {
    await appendAlong(trx, statement, args, beforeCommit, own.lone > 0);
  } finally {
    own.guessing.delete(window);
    answered();
  }
}

async function appendAlong<A>(
  trx: Db,
  statement: AlongStatement<A>,
  args: A,
  beforeCommit: (() => CompiledQuery) | undefined,
  loneInFlight: boolean,
): Promise<void> {
  const held = deferredAppends.get(trx);
  const { head: expected, observed, settled } = headToGuess(trx);
  // Counted down by every group, guessing from a fresh head or not.
  const unpaused = guessing(trx);
  // A head read in this transaction is fresh: guess from it even within a pause. Not while a
  // lone event of this process is in flight: it may reach the head's lock first.
  const guess =
    !loneInFlight &&
    held !== undefined &&
    held.length > 0 &&
    held.length <= GROUP_EVENTS &&
    expected !== undefined &&
    (observed || unpaused);
  const lane = auditLaneOf(trx);
  if (!guess || expected === undefined) {
    const [head] = await statement(trx, Object.assign({}, args, { lane }));
    if (head !== undefined) rememberLockedAuditHead(trx, head);
    return;
  }
  // Only from a settled head: one that depends on another group of this process, still in
  // flight, is wrong whenever that group reaches the head's lock second. Never within a pause:
  // the group that runs again after a wrong guess must not miss again.
  // The write goes first, and PostgreSQL runs it while the events are chained (decision 1470).
  const written =
    beforeCommit !== undefined && settled && unpaused
      ? await sendNow(trx, beforeCommit())
      : undefined;
  // From here the events are this statement's: the transaction's own flush finds none left.
  const events = held.splice(0);
  const key = keysOf(trx).audit.current;
  const chained = chainEvents(key, events, expected);
  expectAuditHead(trx, chained.head);
  // Each column one parameter: one shape for any number of events (decision 1468).
  const columns = AUDIT_COLUMNS.map((column) =>
    oneParameter(chained.rows.map((row) => row[column])),
  );
  const audit = { expected, next: chained.head, columns };
  if (written !== undefined) {
    await sendWithNext(trx, COMMIT);
    try {
      try {
        await appendBeforeCommit(trx, { audit, lane });
      } finally {
        // Its error first: after it PostgreSQL refused the events' statement unread.
        await written();
      }
    } catch (error) {
      // The events did not go in: the chain is not where they would have moved it.
      forgetExpectedHead(trx, chained.head);
      if (!isPlannedCastFailure(error, HEAD_MOVED)) throw error;
      guessPauses.set(trx.getExecutor().adapter, GROUPS_WITHOUT_GUESS_AFTER_A_MISS);
      throw new RunGroupAgain('the audit head moved from the guess: the group runs again', {
        cause: error,
      });
    }
    return;
  }
  let moved: LockedAuditHead | undefined;
  try {
    [moved] = await statement(trx, Object.assign({}, args, { lane, audit }));
  } catch (error) {
    forgetExpectedHead(trx, chained.head);
    throw error;
  }
  if (moved === undefined) return;
  // Another writer came between: chain again from the head the statement locked, and take the
  // lock without guessing for the next groups.
  guessPauses.set(trx.getExecutor().adapter, GROUPS_WITHOUT_GUESS_AFTER_A_MISS);
  const again = chainEvents(key, events, { seq: Number(moved.last_seq), hash: moved.last_hash });
  expectAuditHead(trx, again.head);
  // Nothing but the commit follows (`beforeCommit`): it goes right behind the events, so the
  // head's lock is held one wait for this process fewer (decision 1472).
  if (beforeCommit !== undefined) await sendWithNext(trx, COMMIT);
  await appendRowsMovingHead(trx, { rows: again.rows, head: again.head, lane });
}

/**
 * Lock the chain's head for this transaction and read it: an update that changes nothing, so
 * a writer that waited for the lock reads the head as the writer before it left it.
 * `qc` may carry other writes in its `WITH` (`lockingAuditHead`).
 */
export function auditHeadLockQuery(qc: QueryCreator<Database>, lane: number) {
  return qc
    .updateTable('audit_head')
    .set((eb) => ({ last_seq: eb.ref('last_seq') }))
    .where('id', '=', lane)
    .returning(['last_seq', 'last_hash']);
}

const lockAuditHead = builtOnce((trx, a: { lane: number }) => auditHeadLockQuery(trx, a.lane));

/** The head a statement of this transaction locked and read for its next append. */
const lockedHeads = new WeakMap<Db, LockedAuditHead>();

/** The chain's head as `auditHeadLockQuery` returns it. */
export interface LockedAuditHead {
  readonly last_seq: number;
  readonly last_hash: string;
}

/**
 * PostgreSQL: another write of this transaction took the head's lock in its own statement
 * (`auditHeadLockQuery` under its `WITH`) and read `head`; the next append of the transaction
 * uses it instead of locking and reading it again, one round trip fewer (decision 1427). Call
 * it only when that append comes next: the head is used once and then forgotten.
 */
export function rememberLockedAuditHead(trx: Db, head: LockedAuditHead): void {
  lockedHeads.set(trx, head);
}

function takeLockedAuditHead(trx: Db): LockedAuditHead | undefined {
  const head = lockedHeads.get(trx);
  if (head !== undefined) lockedHeads.delete(trx);
  return head;
}

const insertAuditRows = builtOnce((trx, rows: AuditEventRow[]) =>
  trx.insertInto('audit_events').values(rows),
);

const moveAuditHead = builtOnce((trx, a: { head: ChainHead; lane: number }) =>
  trx
    .updateTable('audit_head')
    .set({ last_seq: a.head.seq, last_hash: a.head.hash })
    .where('id', '=', a.lane),
);

/**
 * PostgreSQL: the events' insert and the head's update in one round trip while the head is
 * locked, as `appendAuditEvent` does for one (decisions 1011, 1414).
 */
const appendRowsMovingHead = builtOnce(
  (trx, a: { rows: AuditEventRow[]; head: ChainHead; lane: number }) =>
    trx
      .with('appended', (qc) => qc.insertInto('audit_events').values(a.rows))
      .updateTable('audit_head')
      .set({ last_seq: a.head.seq, last_hash: a.head.hash })
      .where('id', '=', a.lane),
);

/** Below PostgreSQL's 65,535 parameters a statement: the events fit in one insert. */
const PG_ONE_STATEMENT_PARAMETERS = 60_000;

const VERIFY_BATCH = 500;

/** One lane's head as the database holds it: its last `seq` and that event's hash. */
export interface LaneHead {
  readonly lane: number;
  readonly seq: number;
  readonly hash: string;
}

/** Every lane's head, by lane. */
export async function readAuditHeads(db: Db): Promise<LaneHead[]> {
  const rows = await db
    .selectFrom('audit_head')
    .select(['id', 'last_seq', 'last_hash'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ lane: Number(r.id), seq: Number(r.last_seq), hash: r.last_hash }));
}

/** The stored hash of one event (to compare with a checkpoint), or undefined. */
export async function auditHashAt(db: Db, seq: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .select('hash')
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.hash;
}

function broken(
  checked: number,
  unkeyed: number,
  firstBadSeq: number,
  guarantee: AuditGuarantee,
  reason: string,
): AuditChainReport {
  return { ok: false, checked, unkeyed, firstBadSeq, guarantee, reason };
}

/** How far a lane has been verified: the next seq expected and the hash it must link to. */
interface LaneWalk {
  nextSeq: number;
  prevHash: string;
  keyedSeen: boolean;
}

/**
 * Walk every lane's chain in `seq` order and recompute every link with the audit keys of the
 * handle (`keys`, when given, wins: a verifier may hold only the audit key). Detects an edited
 * row, a deleted row (gap in `seq`, or a tail shorter than its head says), an inserted or
 * reordered row, an event outside every lane's chain, and an unkeyed event after keyed ones;
 * names the guarantee that failed. Events of the unkeyed chain (before migration 0002) may
 * only form the start of lane 1: the first keyed event seals them. A full re-write of the chain
 * without the key, or a lane removed with its head, is caught only against checkpoints kept
 * outside the database (audit-checkpoint.ts).
 * Safe while others append: it verifies each lane up to the head read first (a head and its
 * events commit together), then re-reads the heads when later rows appear. Reads in batches,
 * so memory stays flat on a large log.
 */
export async function verifyAuditChain(db: Db, keys?: KeySet): Promise<AuditChainReport> {
  const auditKeys = keys ?? keysOf(db).audit;
  const walks = new Map<number, LaneWalk>();
  let checked = 0;
  let unkeyed = 0;
  let heads = await readAuditHeads(db);
  for (;;) {
    if (!heads.some((h) => h.lane === 1))
      return { ok: false, checked, reason: 'audit_head row missing', guarantee: 'completeness' };
    for (const head of heads) {
      const walk = walks.get(head.lane) ?? {
        nextSeq: auditLaneBase(head.lane) + 1,
        prevHash: AUDIT_GENESIS_HASH,
        keyedSeen: head.lane !== 1,
      };
      walks.set(head.lane, walk);
      while (walk.nextSeq <= head.seq) {
        const rows = await db
          .selectFrom('audit_events')
          .selectAll()
          .where('seq', '>=', walk.nextSeq)
          .where('seq', '<=', head.seq)
          .orderBy('seq')
          .limit(VERIFY_BATCH)
          .execute();
        if (rows.length === 0) {
          return broken(
            checked,
            unkeyed,
            walk.nextSeq,
            'completeness',
            `events missing from seq ${walk.nextSeq} on`,
          );
        }
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq !== walk.nextSeq) {
            return broken(
              checked,
              unkeyed,
              seq,
              'completeness',
              `missing event(s) before seq ${seq}`,
            );
          }
          if (row.prev_hash !== walk.prevHash) {
            return broken(
              checked,
              unkeyed,
              seq,
              'order',
              'prev_hash does not link to the previous event',
            );
          }
          let expected: string;
          if (row.key_id === null) {
            if (walk.keyedSeen) {
              return broken(
                checked,
                unkeyed,
                seq,
                'keyed-chain',
                head.lane === 1
                  ? 'an unkeyed event after keyed ones: the chain was re-written without the audit key'
                  : `an unkeyed event in lane ${head.lane}, which began keyed: it was re-written without the audit key`,
              );
            }
            expected = legacyHash(walk.prevHash, row);
            unkeyed += 1;
          } else {
            const key = findKey(auditKeys, row.key_id);
            if (key === undefined) {
              return broken(
                checked,
                unkeyed,
                seq,
                'keyed-chain',
                `made with audit key ${row.key_id}, which this verifier does not hold (NEEDLECARE_AUDIT_KEYS_OLD)`,
              );
            }
            expected = keyedHash(key.key, key.id, walk.prevHash, row);
            walk.keyedSeen = true;
          }
          if (expected !== row.hash) {
            return broken(
              checked,
              unkeyed,
              seq,
              'row-integrity',
              'hash does not match the event content',
            );
          }
          walk.prevHash = row.hash;
          walk.nextSeq = seq + 1;
          checked += 1;
        }
      }
      if (head.hash !== walk.prevHash) {
        return broken(
          checked,
          unkeyed,
          head.seq,
          'completeness',
          `the head of lane ${head.lane} does not match its last event`,
        );
      }
    }
    const stray = await firstEventOutside(db, heads);
    if (stray === undefined) {
      return heads.length > 1
        ? { ok: true, checked, unkeyed, lanes: heads.length }
        : { ok: true, checked, unkeyed };
    }
    // Appended since the heads were read, or outside every chain: read the heads again.
    const newer = await readAuditHeads(db);
    const lane = auditLaneOfSeq(stray);
    const was = heads.find((h) => h.lane === lane);
    const now = newer.find((h) => h.lane === lane);
    if (
      stray < 1 ||
      now === undefined ||
      now.seq < stray ||
      (was !== undefined && now.seq <= was.seq)
    ) {
      return broken(
        checked,
        unkeyed,
        stray,
        'order',
        now === undefined
          ? `event in lane ${lane}, which has no head`
          : 'event beyond the chain head',
      );
    }
    heads = newer;
  }
}

/**
 * The lowest seq of an event outside every lane's chain as `heads` end it (beyond a head, in a
 * lane without one, or below seq 1), or undefined. One statement: the gaps between the chains,
 * each a range of the primary key.
 */
async function firstEventOutside(db: Db, heads: readonly LaneHead[]): Promise<number | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .select('seq')
    .where((eb) => {
      const gaps = [];
      let after = 0;
      for (const head of heads) {
        const first = auditLaneBase(head.lane) + 1;
        gaps.push(eb.and([eb('seq', '>', after), eb('seq', '<', first)]));
        after = head.seq;
      }
      gaps.push(eb('seq', '>', after));
      return eb.or([eb('seq', '<', 1), ...gaps]);
    })
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.seq);
}

export interface ListAuditOptions {
  readonly clinicId?: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly limit?: number;
}

/** Newest first: by when they happened, then by seq (lanes interleave in time, decision 1473). */
export async function listAuditEvents(
  db: Db,
  options: ListAuditOptions = {},
): Promise<AuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (options.clinicId !== undefined) q = q.where('clinic_id', '=', options.clinicId);
  if (options.subjectType !== undefined) q = q.where('subject_type', '=', options.subjectType);
  if (options.subjectId !== undefined) q = q.where('subject_id', '=', options.subjectId);
  const rows = await q
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  return rows.map(toAuditEvent);
}
