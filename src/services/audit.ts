import { type AuditActorType, recordAuditEvent } from '../store/audit.repository.ts';
import type { Db } from '../store/db.ts';
import type { Actor } from './actors.ts';
import type { Clock } from './clock.ts';

/**
 * Who is acting, from where: the "who" and "from where" of every audit event (HIPAA
 * 164.312(b); standards.md §5). Built from the request, never from the body.
 */
export interface AuditActor {
  readonly actorType: AuditActorType;
  readonly actorId: string | null;
  readonly clinicId: string | null;
  readonly ip: string;
  readonly requestId: string;
}

/** What happened to which subject. `details` must hold no secret and no free text. */
export interface AuditWhat {
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  /** Set for every read or write of patient data (BALP: the patient entity). */
  readonly patientId?: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
}

/** The audit "who" of a service actor. */
export function auditActorOf(actor: Actor): AuditActor {
  // Written out, not spread: every audited write comes here (decision 1446).
  const { ip, requestId, clinicId } = actor;
  switch (actor.kind) {
    case 'staff':
      return { ip, requestId, actorType: 'staff', actorId: actor.userId, clinicId };
    case 'api_token':
      return { ip, requestId, actorType: 'api_token', actorId: actor.tokenId, clinicId };
    case 'patient_link':
      return { ip, requestId, actorType: 'patient_link', actorId: actor.linkId, clinicId };
    case 'anonymous':
      return { ip, requestId, actorType: 'anonymous', actorId: actor.actorId, clinicId };
    case 'system':
      return { ip, requestId, actorType: 'system', actorId: actor.name, clinicId };
  }
}

/** Append one event in `db` (pass the write's transaction so both commit or neither). */
export async function recordAudit(
  db: Db,
  clock: Clock,
  actor: AuditActor,
  what: AuditWhat,
): Promise<void> {
  await recordAuditEvent(db, {
    at: clock.now(),
    clinicId: actor.clinicId,
    actorType: actor.actorType,
    actorId: actor.actorId,
    action: what.action,
    subjectType: what.subjectType,
    subjectId: what.subjectId,
    ip: actor.ip,
    details: {
      requestId: actor.requestId,
      ...(what.patientId === undefined ? {} : { patientId: what.patientId }),
      ...what.details,
    },
  });
}
