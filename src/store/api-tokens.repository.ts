import { randomUUID } from 'node:crypto';
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';
import type { ApiTokenRow } from './schema.ts';

/** An integration token. Only its sha256 is stored; the secret is shown once at creation. */
export interface ApiToken {
  readonly id: string;
  readonly clinicId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  /** When it stops working; null only for a token stored before migration 0170 ran. */
  readonly expiresAt: string | null;
}

/** A token as the admin's list shows it: with the name of whoever made it. */
export interface ApiTokenListed extends ApiToken {
  readonly createdByName: string | null;
}

export interface NewApiToken {
  readonly id?: string;
  readonly clinicId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdBy: string | null;
  readonly createdAt: InstantInput;
  readonly expiresAt: InstantInput;
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    name: row.name,
    tokenHash: row.token_hash,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
  };
}

export async function insertApiToken(db: Db, input: NewApiToken): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      id: input.id ?? randomUUID(),
      clinic_id: input.clinicId,
      name: input.name,
      token_hash: input.tokenHash,
      created_by: input.createdBy,
      created_at: toIso(input.createdAt),
      last_used_at: null,
      revoked_at: null,
      expires_at: toIso(input.expiresAt),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiToken(row);
}

/** Look a presented token up by its hash. Revoked tokens are returned too: check `revokedAt`. */
export async function findApiTokenByHash(db: Db, tokenHash: string): Promise<ApiToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && toApiToken(row);
}

export async function touchApiToken(db: Db, id: string, at: InstantInput): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: toIso(at) })
    .where('id', '=', id)
    .execute();
}

/** Revoke once; false when unknown in this clinic or already revoked. */
export async function revokeApiToken(
  db: Db,
  clinicId: string,
  id: string,
  at: InstantInput,
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: toIso(at) })
    .where('id', '=', id)
    .where('clinic_id', '=', clinicId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The clinic's tokens, oldest first, each with its maker's display name. */
export async function listApiTokens(db: Db, clinicId: string): Promise<ApiTokenListed[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .leftJoin('staff_users', 'staff_users.id', 'api_tokens.created_by')
    .selectAll('api_tokens')
    .select('staff_users.display_name as created_by_name')
    .where('api_tokens.clinic_id', '=', clinicId)
    .orderBy('api_tokens.created_at')
    .orderBy('api_tokens.id')
    .execute();
  return rows.map((row) => ({ ...toApiToken(row), createdByName: row.created_by_name ?? null }));
}

/** Revoke every live token a person made (their deactivation); returns how many. */
export async function revokeApiTokensCreatedBy(
  db: Db,
  userId: string,
  at: InstantInput,
): Promise<number> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: toIso(at) })
    .where('created_by', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
