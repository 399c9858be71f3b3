import { insertCdsJwtId } from '../store/interop.repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError } from './errors.ts';

/**
 * CDS Hooks 2.0 requires a `jti` in the EHR's JWT so that a token cannot be used twice
 * (docs/decisions/0911). Called by the CDS door once the token's signature, issuer, audience
 * and lifetime are verified: the `jti` is recorded per issuer in the database until the token
 * has expired, and a second use within that time is refused with 401 — whichever process of
 * the deployment sees it (the table's primary key decides, not memory).
 */
export const MAX_JTI_LENGTH = 200;

export interface CdsTokenUse {
  readonly clinicId: string;
  /** The registered EHR (cds_clients.id), for the audit trail. */
  readonly clientId: string;
  readonly issuer: string;
  readonly jti: string;
  /** Until when the token is accepted: its `exp` plus the verifier's clock tolerance. */
  readonly acceptedUntil: Date;
  readonly ip: string;
  readonly requestId: string;
}

export async function claimCdsTokenId(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  use: CdsTokenUse,
): Promise<void> {
  const refused = new AppError(
    'unauthenticated',
    'A valid CDS Hooks JWT from a registered EHR is required.',
  );
  if (use.jti === '' || use.jti.length > MAX_JTI_LENGTH) throw refused;
  const fresh = await insertCdsJwtId(deps.db, {
    issuer: use.issuer,
    jti: use.jti,
    expiresAt: use.acceptedUntil,
    now: deps.clock.now(),
  });
  if (fresh) return;
  // A replayed token: worth a trace (a leaked or intercepted token), never patient data.
  await recordAudit(
    deps.db,
    deps.clock,
    {
      actorType: 'system',
      actorId: `cds:${use.clientId}`,
      clinicId: use.clinicId,
      ip: use.ip,
      requestId: use.requestId,
    },
    { action: 'cds.jwt_replay', subjectType: 'cds_client', subjectId: use.issuer.slice(0, 200) },
  );
  throw refused;
}
