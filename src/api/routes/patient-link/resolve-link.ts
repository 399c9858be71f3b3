import type { FastifyRequest } from 'fastify';
import { findLinkByTokenHash, type PatientLink } from '../../../store/links.repository.ts';
import { linkActor } from '../../audit.ts';
import { recordAudit } from '../../../services/audit.ts';
import type { AppDeps } from '../../deps.ts';
import { AppError } from '../../../services/errors.ts';
import { linkState } from '../../../services/links.ts';
import { sha256Hex } from '../../../services/secrets.ts';

export type ActiveLink = PatientLink & { readonly patientId: string };

/**
 * The link a token opens, or a problem that reveals nothing about any session: 404 for an
 * unknown token, 410 for an expired or revoked one (docs/decisions/0200-patient-links.md).
 */
export async function resolveLink(
  deps: AppDeps,
  request: FastifyRequest,
  token: string,
): Promise<ActiveLink> {
  const link = await findLinkByTokenHash(deps.db, sha256Hex(token));
  if (link === undefined) {
    request.log.warn('unknown patient-link token');
    throw new AppError(
      'not_found',
      'This link is not valid. Please ask your clinic for a new one.',
    );
  }
  const state = linkState(link, deps.clock.now());
  if (state !== 'active') {
    await recordAudit(deps.db, deps.clock, linkActor(request, link), {
      action: 'patient_link.refused',
      subjectType: 'patient_link',
      subjectId: link.id,
      details: { state },
    });
    throw new AppError(
      'link_gone',
      'This link has expired or was withdrawn. Please ask your clinic for a new one.',
    );
  }
  return link;
}
