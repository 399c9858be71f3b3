import type { FastifyRequest } from 'fastify';
import type { Actor, LinkActor } from '../services/actors.ts';
import type { AuditActor } from '../services/audit.ts';

/** The service actor of a request: the principal the auth hook set, or nobody. */
export function requestActor(request: FastifyRequest): Actor {
  // Written out, not spread: every request comes here (decision 1446).
  const p = request.principal;
  const ip = request.ip;
  const requestId = request.id;
  if (p === null) return { ip, requestId, kind: 'anonymous', clinicId: null, actorId: null };
  if (p.kind === 'staff') {
    return { ip, requestId, kind: 'staff', userId: p.userId, clinicId: p.clinicId, role: p.role };
  }
  return { ip, requestId, kind: 'api_token', tokenId: p.tokenId, clinicId: p.clinicId };
}

/** The service actor of a patient-link request, once the link is resolved. */
export function requestLinkActor(
  request: FastifyRequest,
  link: { id: string; clinicId: string },
): LinkActor {
  return {
    kind: 'patient_link',
    linkId: link.id,
    clinicId: link.clinicId,
    ip: request.ip,
    requestId: request.id,
  };
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

export function anonymousActor(
  request: FastifyRequest,
  clinicId: string | null,
  actorId: string | null = null,
): AuditActor {
  return { actorType: 'anonymous', actorId, clinicId, ip: request.ip, requestId: request.id };
}
