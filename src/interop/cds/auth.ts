import type { JSONWebKeySet } from 'jose';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { claimCdsTokenId } from '../../services/cds-tokens.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { AppError } from '../../services/errors.ts';
import { type CdsClient, findCdsClientByIssuer } from '../../store/interop.repository.ts';

/**
 * CDS Hooks 2.0 authentication (docs/decisions/0904): the EHR signs a JWT per request with an
 * asymmetric key; we find the EHR by its `iss` (an allow-list: the cds_clients table), verify
 * the signature with its JWKS, `aud` = the exact service URL, `exp` no more than 5 minutes
 * ahead, and require `iat` and `jti`; a `jti` the issuer used before, within the token's
 * lifetime, is a replay (decision 0911). Anything wrong is a 401 that says little.
 */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const MAX_LIFETIME_S = 5 * 60;
const CLOCK_TOLERANCE_S = 30;

/** Remote key sets, cached per URL for the life of the app (jose refreshes them itself). */
export type KeySetCache = Map<string, JWTVerifyGetKey>;

function keySetOf(client: CdsClient, cache: KeySetCache): JWTVerifyGetKey {
  if (client.jwks !== null) return createLocalJWKSet(client.jwks as JSONWebKeySet);
  const url = client.jwksUrl ?? '';
  let remote = cache.get(url);
  if (remote === undefined) {
    remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 3000 });
    cache.set(url, remote);
  }
  return remote;
}

function refused(): AppError {
  return new AppError(
    'unauthenticated',
    'A valid CDS Hooks JWT from a registered EHR is required.',
  );
}

export async function authenticateCdsClient(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  authorization: string | undefined,
  audience: string,
  cache: KeySetCache,
  request: { readonly ip: string; readonly requestId: string },
): Promise<CdsClient> {
  const { db } = deps;
  const now = deps.clock.now();
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(
    authorization ?? '',
  );
  const token = match?.[1];
  if (token === undefined) throw refused();
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw refused();
  }
  if (issuer === undefined) throw refused();
  const client = await findCdsClientByIssuer(db, issuer);
  if (client === undefined) throw refused();
  let exp: number;
  let jti: string;
  try {
    const { payload } = await jwtVerify(token, keySetOf(client, cache), {
      issuer: client.issuer,
      audience,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'jti'],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    const nowS = Math.floor(now.getTime() / 1000);
    if ((payload.exp ?? 0) > nowS + MAX_LIFETIME_S + CLOCK_TOLERANCE_S) throw refused();
    exp = payload.exp ?? 0;
    jti = typeof payload.jti === 'string' ? payload.jti : '';
  } catch {
    throw refused();
  }
  await claimCdsTokenId(deps, {
    clinicId: client.clinicId,
    clientId: client.id,
    issuer: client.issuer,
    jti,
    acceptedUntil: new Date((exp + CLOCK_TOLERANCE_S) * 1000),
    ip: request.ip,
    requestId: request.requestId,
  });
  return client;
}
