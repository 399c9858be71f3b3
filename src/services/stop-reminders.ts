import type { Clinic } from '../store/clinics.repository.ts';
import { findClinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { findLinkByTokenHash } from '../store/links.repository.ts';
import { findPatient, type Patient } from '../store/patients.repository.ts';
import type { Actor } from './actors.ts';
import { recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';
import { sha256Hex } from './secrets.ts';

/** What the stop page shows: the clinic's numbers, in the patient's language. */
export interface StopTarget {
  readonly clinic: Clinic | undefined;
  readonly patientLanguage: Patient['language'] | undefined;
}

const MAX_TOKEN_LENGTH = 200;

/**
 * The link behind a reminder's stop URL. Unlike the other patient pages, expired and revoked
 * links count too: stopping can only reduce what is sent. An unknown token is `not_found`.
 */
async function stopLink(deps: ServiceDeps, token: string) {
  const link =
    token.length === 0 || token.length > MAX_TOKEN_LENGTH
      ? undefined
      : await findLinkByTokenHash(deps.db, sha256Hex(token));
  if (link === undefined) {
    throw new AppError('not_found', 'This link is not valid. Check that it is complete.');
  }
  return link;
}

/** What the stop page asks with, before anything is stopped (a GET changes nothing). */
export async function readStopReminders(deps: ServiceDeps, token: string): Promise<StopTarget> {
  const link = await stopLink(deps, token);
  const patient = await findPatient(deps.db, link.clinicId, link.patientId);
  const clinic = await findClinic(deps.db, link.clinicId);
  return { clinic, patientLanguage: patient?.language };
}

/**
 * Stop a session's reminders, for the holder of the link token in the stop URL (and for RFC
 * 8058 one-click unsubscribe). Idempotent; audited with the number cancelled and the scope.
 * Only the session's current link speaks for the patient: a withdrawn (revoked) link stops
 * only what was queued for itself, never the reminders of the link that replaced it
 * (issue 12, finding 3; decision 1110). The outbox side is the `remindersStopped` event;
 * missed-check-in follow-ups after thoracic needling stay, on purpose
 * (docs/decisions/0500-jobs-outbox-delivery.md).
 */
export async function stopReminders(
  deps: ServiceDeps,
  actor: Actor,
  input: { readonly token: string },
): Promise<StopTarget & { readonly cancelled: number; readonly sessionId: string }> {
  const link = await stopLink(deps, input.token);
  const cancelled = await withTransaction(deps.db, async (trx) => {
    const now = deps.clock.now();
    const scope = link.revokedAt === null ? 'session' : 'link';
    const count =
      (await deps.events.remindersStopped?.(trx, {
        sessionId: link.sessionId,
        linkId: link.id,
        scope,
        at: now,
      })) ?? 0;
    await recordAudit(
      trx,
      deps.clock,
      {
        actorType: 'patient_link',
        actorId: link.id,
        clinicId: link.clinicId,
        ip: actor.ip,
        requestId: actor.requestId,
      },
      {
        action: 'reminders.stop',
        subjectType: 'session',
        subjectId: link.sessionId,
        patientId: link.patientId,
        details: { cancelled: count, scope },
      },
    );
    return count;
  });
  const target = await readStopReminders(deps, input.token);
  return { ...target, cancelled, sessionId: link.sessionId };
}
