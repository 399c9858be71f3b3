import { randomUUID } from 'node:crypto';
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';
import type { PasswordTokenRow } from './schema.ts';

export type PasswordTokenPurpose = 'first_admin' | 'invite' | 'reset';

/** A set-password link as stored: the token itself never is, only its sha256. */
export interface PasswordToken {
  readonly id: string;
  readonly clinicId: string;
  readonly userId: string;
  readonly purpose: PasswordTokenPurpose;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly revokedAt: string | null;
}

export interface NewPasswordToken {
  readonly clinicId: string;
  readonly userId: string;
  readonly tokenHash: string;
  readonly purpose: PasswordTokenPurpose;
  readonly createdBy: string | null;
  readonly createdAt: InstantInput;
  readonly expiresAt: InstantInput;
}

function toPasswordToken(row: PasswordTokenRow): PasswordToken {
  return {
    id: row.id,
    clinicId: row.clinic_id,
    userId: row.user_id,
    purpose: row.purpose,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertPasswordToken(db: Db, input: NewPasswordToken): Promise<PasswordToken> {
  const row = await db
    .insertInto('password_tokens')
    .values({
      id: randomUUID(),
      clinic_id: input.clinicId,
      user_id: input.userId,
      token_hash: input.tokenHash,
      purpose: input.purpose,
      created_by: input.createdBy,
      created_at: toIso(input.createdAt),
      expires_at: toIso(input.expiresAt),
      used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPasswordToken(row);
}

export async function findPasswordTokenByHash(
  db: Db,
  tokenHash: string,
): Promise<PasswordToken | undefined> {
  const row = await db
    .selectFrom('password_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && toPasswordToken(row);
}

/**
 * Mark a token used, only if it still is unused and unrevoked: true when this call used it
 * (two submissions racing for one link: exactly one wins).
 */
export async function markPasswordTokenUsed(
  db: Db,
  id: string,
  at: InstantInput,
): Promise<boolean> {
  const result = await db
    .updateTable('password_tokens')
    .set({ used_at: toIso(at) })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Revoke every unused token of a person (a new link replaces the old; deactivation). */
export async function revokePasswordTokensOfUser(
  db: Db,
  userId: string,
  at: InstantInput,
): Promise<number> {
  const result = await db
    .updateTable('password_tokens')
    .set({ revoked_at: toIso(at) })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
