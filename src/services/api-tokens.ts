import type { FromSchema } from 'json-schema-to-ts';
import {
  type ApiToken,
  type ApiTokenListed,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from '../store/api-tokens.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { DAY_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';
import { newApiToken, sha256Hex } from './secrets.ts';
import { requireName } from './text.ts';

/** A token lives 90 days unless its admin chooses otherwise (docs/decisions/1330). */
export const DEFAULT_TOKEN_DAYS = 90;
/** The longest life an admin may give a token: a forgotten token must still die within a year. */
export const MAX_TOKEN_DAYS = 365;

export const newApiTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    expiresInDays: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TOKEN_DAYS,
      default: DEFAULT_TOKEN_DAYS,
      description: `Days until the token stops working (1–${MAX_TOKEN_DAYS}, default ${DEFAULT_TOKEN_DAYS}).`,
    },
  },
} as const;

export type NewApiTokenInput = FromSchema<
  typeof newApiTokenSchema,
  { keepDefaultedPropertiesOptional: true }
>;

/**
 * The clinic's API tokens with who made them and when they expire, never their secrets (only
 * hashes are stored). Admins only.
 */
export async function listClinicApiTokens(
  deps: ServiceDeps,
  actor: Actor,
): Promise<ApiTokenListed[]> {
  requireAdmin(actor);
  return listApiTokens(deps.db, actor.clinicId);
}

/** Mint a token for the caller's clinic; its secret is in this result and nowhere else. */
export async function createApiToken(
  deps: ServiceDeps,
  actor: Actor,
  input: NewApiTokenInput,
): Promise<ApiToken & { readonly token: string }> {
  requireAdmin(actor);
  const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new AppError('validation_failed', 'Invalid expiresInDays', {
      errors: [
        { field: 'expiresInDays', message: `must be a whole number from 1 to ${MAX_TOKEN_DAYS}` },
      ],
    });
  }
  const token = newApiToken();
  const now = deps.clock.now();
  const created = await withTransaction(deps.db, async (trx) => {
    const row = await insertApiToken(trx, {
      clinicId: actor.clinicId,
      name: requireName(input.name, 'name'),
      tokenHash: sha256Hex(token),
      createdBy: actor.userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + days * DAY_MS),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'api_token.create',
      subjectType: 'api_token',
      subjectId: row.id,
      details: { expiresAt: row.expiresAt },
    });
    return row;
  });
  return { ...created, token };
}

/** Revoke an active token of the caller's clinic; `not_found` for a foreign or revoked one. */
export async function revokeClinicApiToken(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly tokenId: string },
): Promise<void> {
  requireAdmin(actor);
  if (!isUuid(input.tokenId)) throw new AppError('not_found', 'No such active API token.');
  await withTransaction(deps.db, async (trx) => {
    if (!(await revokeApiToken(trx, actor.clinicId, input.tokenId, deps.clock.now()))) {
      throw new AppError('not_found', 'No such active API token.');
    }
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'api_token.revoke',
      subjectType: 'api_token',
      subjectId: input.tokenId,
    });
  });
}
