import type { FromSchema } from 'json-schema-to-ts';
import {
  type ApiToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from '../store/api-tokens.repository.ts';
import { withTransaction } from '../store/db.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { isUuid } from './ids.ts';
import { newApiToken, sha256Hex } from './secrets.ts';
import { requireName } from './text.ts';

export const newApiTokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export type NewApiTokenInput = FromSchema<typeof newApiTokenSchema>;

/** The clinic's API tokens, never their secrets (only hashes are stored). Admins only. */
export async function listClinicApiTokens(deps: ServiceDeps, actor: Actor): Promise<ApiToken[]> {
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
  const token = newApiToken();
  const created = await withTransaction(deps.db, async (trx) => {
    const row = await insertApiToken(trx, {
      clinicId: actor.clinicId,
      name: requireName(input.name, 'name'),
      tokenHash: sha256Hex(token),
      createdBy: actor.userId,
      createdAt: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'api_token.create',
      subjectType: 'api_token',
      subjectId: row.id,
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
