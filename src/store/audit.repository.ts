import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, type InstantInput, parseJson, toIso } from './codec.ts';
import { type Db, dialectOf, withTransaction } from './db.ts';
import type { AuditEventRow } from './schema.ts';
import { insertRowsInBulk } from './bulk.repository.ts';

export type AuditActorType = 'staff' | 'patient_link' | 'api_token' | 'system' | 'anonymous';

/** The hash before the first event. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

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
}

export interface AuditChainReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBadSeq?: number;
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

function chainHash(prevHash: string, row: HashedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(row)).digest('hex');
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
  };
}

/**
 * Append one event to the hash chain: `hash = sha256(prev_hash + canonical event)`, with a
 * gapless `seq`. Runs in the caller's transaction (or its own), so the event commits or rolls
 * back with the write it records. The audit_head row serialises appenders: on PostgreSQL it is
 * read `FOR UPDATE`, so concurrent writers queue instead of forking the chain; on SQLite the
 * head is written first, which takes the database write lock before anything is read.
 */
export async function appendAuditEvent(db: Db, event: NewAuditEvent): Promise<AuditEvent> {
  return withTransaction(db, async (trx) => {
    let head: { last_seq: number; last_hash: string } | undefined;
    if (dialectOf(trx) === 'postgres') {
      head = await trx
        .selectFrom('audit_head')
        .select(['last_seq', 'last_hash'])
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirst();
    } else {
      head = await trx
        .updateTable('audit_head')
        .set((eb) => ({ last_seq: eb.ref('last_seq') }))
        .where('id', '=', 1)
        .returning(['last_seq', 'last_hash'])
        .executeTakeFirst();
    }
    if (!head) throw new Error('audit_head row missing: run migrations');

    const fields: HashedFields = {
      seq: Number(head.last_seq) + 1,
      id: randomUUID(),
      at: toIso(event.at),
      clinic_id: event.clinicId ?? null,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      subject_type: event.subjectType,
      subject_id: event.subjectId ?? null,
      ip: event.ip ?? null,
      details_json: canonicalJson(event.details ?? {}),
    };
    const row: AuditEventRow = {
      ...fields,
      prev_hash: head.last_hash,
      hash: chainHash(head.last_hash, fields),
    };
    await trx.insertInto('audit_events').values(row).execute();
    await trx
      .updateTable('audit_head')
      .set({ last_seq: row.seq, last_hash: row.hash })
      .where('id', '=', 1)
      .execute();
    return toAuditEvent(row);
  });
}

/**
 * Append many events in order, in one transaction, as one stretch of the hash chain: the same
 * rows `appendAuditEvent` would write one by one, with multi-row inserts. For bulk loads (the
 * scale benchmark's seed); the chain stays verifiable.
 */
export async function appendAuditEventsInBulk(
  db: Db,
  events: readonly NewAuditEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  return withTransaction(db, async (trx) => {
    const head = await trx
      .updateTable('audit_head')
      .set((eb) => ({ last_seq: eb.ref('last_seq') }))
      .where('id', '=', 1)
      .returning(['last_seq', 'last_hash'])
      .executeTakeFirst();
    if (!head) throw new Error('audit_head row missing: run migrations');
    let seq = Number(head.last_seq);
    let prevHash = head.last_hash;
    const rows: AuditEventRow[] = events.map((event) => {
      seq += 1;
      const fields: HashedFields = {
        seq,
        id: randomUUID(),
        at: toIso(event.at),
        clinic_id: event.clinicId ?? null,
        actor_type: event.actorType,
        actor_id: event.actorId ?? null,
        action: event.action,
        subject_type: event.subjectType,
        subject_id: event.subjectId ?? null,
        ip: event.ip ?? null,
        details_json: canonicalJson(event.details ?? {}),
      };
      const hash = chainHash(prevHash, fields);
      const row = { ...fields, prev_hash: prevHash, hash };
      prevHash = hash;
      return row;
    });
    await insertRowsInBulk(trx, 'audit_events', rows);
    await trx
      .updateTable('audit_head')
      .set({ last_seq: seq, last_hash: prevHash })
      .where('id', '=', 1)
      .execute();
    return rows.length;
  });
}

const VERIFY_BATCH = 500;

async function readHead(db: Db) {
  return db
    .selectFrom('audit_head')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

/**
 * Walk the whole chain in `seq` order and recompute every hash. Detects an edited row (hash
 * mismatch), a deleted row (gap in `seq`, or a tail shorter than the head says), an inserted
 * or reordered row (`prev_hash` link mismatch, or a row beyond the head).
 * Safe while others append: it verifies up to the head read first (a head and its event commit
 * together), then re-reads the head when later rows appear. Reads in batches, so memory stays
 * flat on a large log.
 */
export async function verifyAuditChain(db: Db): Promise<AuditChainReport> {
  let prevHash = AUDIT_GENESIS_HASH;
  let nextSeq = 1;
  let checked = 0;
  let head = await readHead(db);
  for (;;) {
    if (!head) return { ok: false, checked, reason: 'audit_head row missing' };
    const lastSeq = Number(head.last_seq);
    while (nextSeq <= lastSeq) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>=', nextSeq)
        .where('seq', '<=', lastSeq)
        .orderBy('seq')
        .limit(VERIFY_BATCH)
        .execute();
      if (rows.length === 0) {
        return {
          ok: false,
          checked,
          firstBadSeq: nextSeq,
          reason: `events missing from seq ${nextSeq} on`,
        };
      }
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== nextSeq) {
          return {
            ok: false,
            checked,
            firstBadSeq: seq,
            reason: `missing event(s) before seq ${seq}`,
          };
        }
        if (row.prev_hash !== prevHash) {
          return {
            ok: false,
            checked,
            firstBadSeq: seq,
            reason: 'prev_hash does not link to the previous event',
          };
        }
        if (chainHash(prevHash, row) !== row.hash) {
          return {
            ok: false,
            checked,
            firstBadSeq: seq,
            reason: 'hash does not match the event content',
          };
        }
        prevHash = row.hash;
        nextSeq = seq + 1;
        checked += 1;
      }
    }
    if (head.last_hash !== prevHash) {
      return {
        ok: false,
        checked,
        firstBadSeq: lastSeq,
        reason: 'the head does not match the last event',
      };
    }
    const beyond = await db
      .selectFrom('audit_events')
      .select('seq')
      .where('seq', '>', lastSeq)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!beyond) return { ok: true, checked };
    const newer = await readHead(db);
    if (!newer || Number(newer.last_seq) <= lastSeq) {
      return {
        ok: false,
        checked,
        firstBadSeq: Number(beyond.seq),
        reason: 'event beyond the chain head',
      };
    }
    head = newer;
  }
}

export interface ListAuditOptions {
  readonly clinicId?: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  /** Only events with `seq` below this (paging backwards). */
  readonly beforeSeq?: number;
  readonly limit?: number;
}

/** Newest first. */
export async function listAuditEvents(
  db: Db,
  options: ListAuditOptions = {},
): Promise<AuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (options.clinicId !== undefined) q = q.where('clinic_id', '=', options.clinicId);
  if (options.subjectType !== undefined) q = q.where('subject_type', '=', options.subjectType);
  if (options.subjectId !== undefined) q = q.where('subject_id', '=', options.subjectId);
  if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq);
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(Math.max(0, Math.floor(options.limit ?? 100)))
    .execute();
  return rows.map(toAuditEvent);
}
