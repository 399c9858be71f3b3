import type { FastifyRequest } from 'fastify';
import { type AuditActorType, appendAuditEvent } from '../store/audit.repository.ts';
import type { Db } from '../store/db.ts';
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

/** The actor of a staff or API-token route (the auth hook has set the principal). */
export function actorOf(request: FastifyRequest): AuditActor {
  const p = request.principal;
  if (p === null) return anonymousActor(request, null);
  return {
    actorType: p.kind === 'staff' ? 'staff' : 'api_token',
    actorId: p.kind === 'staff' ? p.userId : p.tokenId,
    clinicId: p.clinicId,
    ip: request.ip,
    requestId: request.id,
  };
}

export function linkActor(
  request: FastifyRequest,
  link: { id: string; clinicId: string },
): AuditActor {
  return {
    actorType: 'patient_link',
    actorId: link.id,
    clinicId: link.clinicId,
    ip: request.ip,
    requestId: request.id,
  };
}

export function anonymousActor(
  request: FastifyRequest,
  clinicId: string | null,
  actorId: string | null = null,
): AuditActor {
  return { actorType: 'anonymous', actorId, clinicId, ip: request.ip, requestId: request.id };
}

/** Append one event in `db` (pass the write's transaction so both commit or neither). */
export async function recordAudit(
  db: Db,
  clock: Clock,
  actor: AuditActor,
  what: AuditWhat,
): Promise<void> {
  await appendAuditEvent(db, {
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
