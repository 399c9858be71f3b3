/**
 * Dead letters for a clinic's admins (issue 16): the outbox messages that gave up — what
 * (kind), why (the scrubbed last error, host and port kept), how many attempts, when — and
 * requeueing one or all of them for a fresh set of attempts. Admin only, clinic-scoped (a
 * foreign id is "not found"), every read and requeue audited.
 */

import { withTransaction } from '../store/db.ts';
import {
  countDeadLetters as countStored,
  countUndelivered,
  type DeadLetter,
  listFailingMessages,
  listDeadLetters as listStored,
  requeueDeadLetters,
} from '../store/dead-letters.repository.ts';
import { type Actor, requireAdmin } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';

export type { DeadLetter };

export interface DeadLetterList {
  /** All dead letters of the clinic (the list may be cut at `limit`). */
  readonly total: number;
  readonly items: readonly DeadLetter[];
}

export const DEAD_LETTER_LIST_MAX = 200;

/** One admin list of outbox messages, cut at `limit` (at most 200) and audited as `action`. */
async function listAudited(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly limit?: number | undefined },
  action: string,
  read: (clinicId: string, limit: number) => Promise<DeadLetterList>,
): Promise<DeadLetterList> {
  requireAdmin(actor);
  const limit = Math.min(DEAD_LETTER_LIST_MAX, Math.max(1, Math.floor(input.limit ?? 100)));
  const { total, items } = await read(actor.clinicId, limit);
  await recordAudit(deps.db, deps.clock, auditActorOf(actor), {
    action,
    subjectType: 'outbox',
    subjectId: null,
    details: { count: items.length, total },
  });
  return { total, items };
}

/** The clinic's dead letters, newest first. */
export async function listDeadLetters(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly limit?: number | undefined } = {},
): Promise<DeadLetterList> {
  return listAudited(deps, actor, input, 'dead_letters.list', async (clinicId, limit) => {
    const items = await listStored(deps.db, clinicId, { limit });
    return { total: await countStored(deps.db, clinicId), items };
  });
}

/**
 * The clinic's messages still being tried after a failure (decision 1226): what, why the last
 * try failed, how many tries, when the next is due. Admin only, audited like the dead letters.
 */
export async function listFailingDeliveries(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly limit?: number | undefined } = {},
): Promise<DeadLetterList> {
  return listAudited(deps, actor, input, 'outbox.failing.list', (clinicId, limit) =>
    listFailingMessages(deps.db, clinicId, { limit }),
  );
}

/**
 * How many messages are undelivered, given up or failing and still tried (the count on the
 * admin pages, decision 1226); 0 for anyone but an admin.
 */
export async function countUndeliveredMessages(deps: ServiceDeps, actor: Actor): Promise<number> {
  if (actor.kind !== 'staff' || actor.role !== 'admin') return 0;
  return countUndelivered(deps.db, actor.clinicId);
}

/** Requeue one dead letter of the clinic; `not_found` when it is not a dead letter here. */
export async function requeueDeadLetter(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly id: string },
): Promise<{ readonly requeued: readonly string[] }> {
  requireAdmin(actor);
  return withTransaction(deps.db, async (trx) => {
    const requeued = await requeueDeadLetters(trx, actor.clinicId, deps.clock.now(), input.id);
    if (requeued.length === 0) throw new AppError('not_found', 'No such dead letter.');
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'dead_letters.requeue',
      subjectType: 'outbox',
      subjectId: input.id,
    });
    return { requeued };
  });
}

/** Requeue every dead letter of the clinic (possibly none). */
export async function requeueAllDeadLetters(
  deps: ServiceDeps,
  actor: Actor,
): Promise<{ readonly requeued: readonly string[] }> {
  requireAdmin(actor);
  return withTransaction(deps.db, async (trx) => {
    const requeued = await requeueDeadLetters(trx, actor.clinicId, deps.clock.now());
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'dead_letters.requeue_all',
      subjectType: 'outbox',
      subjectId: null,
      details: { count: requeued.length },
    });
    return { requeued };
  });
}
