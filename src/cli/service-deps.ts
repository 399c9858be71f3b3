import type { AppConfig } from '../config/env.ts';
import type { SystemActor } from '../services/actors.ts';
import { systemClock } from '../services/clock.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { createPasswordResetLimits } from '../services/password-reset.ts';
import { createPasswordHasher } from '../services/passwords.ts';
import { createRateLimiter } from '../services/rate-limiter.ts';
import type { Db } from '../store/db.ts';

/** The services' dependencies for a one-shot command (no outbox events: nothing is delivered from here). */
export function cliServiceDeps(config: AppConfig, db: Db): ServiceDeps {
  const clock = systemClock();
  return {
    config,
    db,
    clock,
    passwords: createPasswordHasher(config.argon2),
    signInLimiter: createRateLimiter(clock, 1, 60_000),
    passwordResetLimits: createPasswordResetLimits(clock),
    events: {},
  };
}

/** Who acts when a person runs a command on the server: the operator, audited as `cli`. */
export const CLI_ACTOR: SystemActor = {
  kind: 'system',
  name: 'cli',
  clinicId: null,
  ip: '127.0.0.1',
  requestId: 'cli',
};
