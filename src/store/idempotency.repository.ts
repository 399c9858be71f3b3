import { type InstantInput, parseJson, toIso, toJson } from './codec.ts';
import type { Db } from './db.ts';
import { untilDurable } from './wal-sync.ts';

/** A stored response to replay for a retried request with the same idempotency key. */
export interface IdempotentResponse {
  readonly scope: string;
  readonly key: string;
  /** Hash of the original request body: a retry with a different body is a client error. */
  readonly requestHash: string;
  readonly statusCode: number;
  readonly response: unknown;
  readonly createdAt: string;
}

export interface NewIdempotentResponse {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly statusCode: number;
  readonly response: unknown;
  readonly createdAt: InstantInput;
}

export async function findIdempotentResponse(
  db: Db,
  scope: string,
  key: string,
): Promise<IdempotentResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  // The write it answers for may have committed a moment ago, its fsync still running: a replay
  // acknowledges it too, so only once it is on disk (decision 1419).
  await untilDurable(db);
  return {
    scope: row.scope,
    key: row.key,
    requestHash: row.request_hash,
    statusCode: row.status_code,
    response: parseJson<unknown>(row.response_json),
    createdAt: row.created_at,
  };
}

/**
 * Store a response under (scope, key). Race-safe: the primary key decides, and a second save of
 * the same key returns false without error (`on conflict do nothing`). Save it in the same
 * transaction as the write it describes; if it returns false, roll back and replay the stored
 * response instead.
 */
export async function saveIdempotentResponse(
  db: Db,
  input: NewIdempotentResponse,
): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_keys')
    .values({
      scope: input.scope,
      key: input.key,
      request_hash: input.requestHash,
      status_code: input.statusCode,
      response_json: toJson(input.response),
      created_at: toIso(input.createdAt),
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

/** Housekeeping: forget keys older than `before`. */
export async function deleteIdempotencyKeysBefore(db: Db, before: InstantInput): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', toIso(before))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
