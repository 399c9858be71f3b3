import type { PasswordLinkIssuedEvent } from '../services/events.ts';
import type { Db } from '../store/db.ts';
import { enqueueOutbox } from '../store/outbox.repository.ts';
import type { PasswordLinkPayload } from './payloads.ts';

/**
 * Queue the e-mail that carries a set-password link (an invitation or a reset), in the
 * transaction that issued the link: the link exists only if its e-mail is queued. One message
 * per link (the token id is the dedupe key).
 */
export async function enqueuePasswordLinkEmail(trx: Db, e: PasswordLinkIssuedEvent): Promise<void> {
  const payload: PasswordLinkPayload = {
    tokenId: e.tokenId,
    to: e.to,
    name: e.name,
    clinicName: e.clinicName,
    language: e.language,
    url: e.url,
    expiresAt: e.expiresAt,
  };
  await enqueueOutbox(trx, {
    clinicId: e.clinicId,
    kind: e.purpose === 'invite' ? 'invite.email' : 'password-reset.email',
    dedupeKey: `password-link:${e.tokenId}`,
    payload,
    dueAt: e.at,
    createdAt: e.at,
  });
}
