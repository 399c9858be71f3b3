import type { AppConfig } from '../config/env.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from './clock.ts';
import type { ServiceEvents } from './events.ts';
import type { PasswordResetLimits } from './password-reset.ts';
import type { PasswordHasher } from './passwords.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * What every use case may use, built once by the composition root (`buildApp`, the CLI, the
 * worker) and passed as the first argument of each service. Nothing here is a module-level
 * singleton: two apps in one process share nothing.
 */
export interface ServiceDeps {
  readonly config: AppConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  /** Sign-in attempts per client IP. */
  readonly signInLimiter: RateLimiter;
  /** "Forgot password" requests per client IP and per address (password-reset.ts). */
  readonly passwordResetLimits: PasswordResetLimits;
  /** Side effects of writes, run in their transaction (outbox producers). */
  readonly events: ServiceEvents;
  /**
   * The door sends nothing before the database's log is durable (the HTTP app's
   * `holdAnswersUntilDurable`, decision 1484), so a check-in may be handed back at its group's
   * commit and its answer prepared while the fsync runs. Absent (the CLI, the worker): handed
   * back once durable.
   */
  readonly answersHeldUntilDurable?: boolean;
}
