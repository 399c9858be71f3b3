/**
 * Service tests call the use cases directly, without a door: dependencies over a harness
 * database, and actors as a door would build them.
 */
import { type SeededClinic, T0, TEST_ARGON2, testConfig } from '../src/api/test-support.ts';
import type { AppConfig } from '../src/config/env.ts';
import type { AnonymousActor, StaffActor, TokenActor } from '../src/services/actors.ts';
import { type ManualClock, manualClock } from '../src/services/clock.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { createPasswordResetLimits } from '../src/services/password-reset.ts';
import { createPasswordHasher } from '../src/services/passwords.ts';
import { createRateLimiter } from '../src/services/rate-limiter.ts';
import type { Db } from '../src/store/db.ts';

export interface TestDeps extends ServiceDeps {
  readonly clock: ManualClock;
}

export function serviceDeps(db: Db, overrides: Partial<AppConfig> = {}, start = T0): TestDeps {
  const config = testConfig(overrides);
  const clock = manualClock(start);
  return {
    config,
    db,
    clock,
    passwords: createPasswordHasher(TEST_ARGON2),
    signInLimiter: createRateLimiter(
      clock,
      config.signIn.perIpMax,
      config.signIn.perIpWindowMinutes * 60_000,
    ),
    passwordResetLimits: createPasswordResetLimits(clock),
    events: {},
  };
}

const FROM = { ip: '192.0.2.1', requestId: 'req-test' } as const;

export function adminOf(c: SeededClinic): StaffActor {
  return { ...FROM, kind: 'staff', userId: c.adminId, clinicId: c.clinicId, role: 'admin' };
}

export function practitionerOf(c: SeededClinic): StaffActor {
  return {
    ...FROM,
    kind: 'staff',
    userId: c.practitionerId,
    clinicId: c.clinicId,
    role: 'practitioner',
  };
}

export function tokenOf(
  c: SeededClinic,
  tokenId = '00000000-0000-4000-8000-00000000000a',
): TokenActor {
  return { ...FROM, kind: 'api_token', tokenId, clinicId: c.clinicId };
}

export const NOBODY: AnonymousActor = { ...FROM, kind: 'anonymous', clinicId: null, actorId: null };
