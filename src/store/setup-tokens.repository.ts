import { randomUUID } from 'node:crypto';
import { type InstantInput, toIso } from './codec.ts';
import type { Db } from './db.ts';

/** A first-run setup link as stored: only the sha256 of its secret (docs/decisions/1320). */
export interface SetupToken {
  readonly id: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
}

export async function insertSetupToken(
  db: Db,
  input: { tokenHash: string; createdAt: InstantInput; expiresAt: InstantInput },
): Promise<SetupToken> {
  const row = await db
    .insertInto('setup_tokens')
    .values({
      id: randomUUID(),
      token_hash: input.tokenHash,
      created_at: toIso(input.createdAt),
      expires_at: toIso(input.expiresAt),
      used_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at, expiresAt: row.expires_at, usedAt: row.used_at };
}

export async function findSetupTokenByHash(
  db: Db,
  tokenHash: string,
): Promise<SetupToken | undefined> {
  const row = await db
    .selectFrom('setup_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return (
    row && { id: row.id, createdAt: row.created_at, expiresAt: row.expires_at, usedAt: row.used_at }
  );
}

/**
 * Mark every still-unused setup token used and return their ids. Two setups racing with two
 * different tokens update the same rows: the second waits for the first's row locks and then
 * finds nothing left, so only one of them can ever create the first clinic.
 */
export async function useAllSetupTokens(db: Db, at: InstantInput): Promise<string[]> {
  const rows = await db
    .updateTable('setup_tokens')
    .set({ used_at: toIso(at) })
    .where('used_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** True once any clinic exists on this server (the first-run setup is then refused). */
export async function anyClinicExists(db: Db): Promise<boolean> {
  const row = await db.selectFrom('clinics').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}
