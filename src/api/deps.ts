import type { AppConfig } from '../config/env.ts';
import type { StaffRole } from '../store/staff.repository.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from './clock.ts';
import type { ApiEvents } from './events.ts';
import type { PasswordHasher } from './passwords.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * The services every route may use, built once per app by `buildApp` and exposed as
 * `app.deps`. Nothing here is a module-level singleton: two apps in one process share nothing.
 */
export interface AppDeps {
  readonly config: AppConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  /** Sign-in attempts per client IP. */
  readonly signInLimiter: RateLimiter;
  /** Side effects of writes, run in their transaction (outbox producers). */
  readonly events: ApiEvents;
}

/**
 * Who may call a route, declared on every route as `config: { access }`:
 * - `public`: anyone (health, sign-in, docs);
 * - `link`: anyone holding a patient-link token in the path (checked by the handler);
 * - `staff`: a signed-in practitioner or admin, or an API token of the clinic;
 * - `admin`: a signed-in clinic admin (API tokens are refused: they cannot mint tokens).
 * A `/api/v1` route that declares nothing is treated as `staff` (deny by default).
 */
export type Access = 'public' | 'link' | 'staff' | 'admin';

export interface StaffPrincipal {
  readonly kind: 'staff';
  readonly userId: string;
  readonly clinicId: string;
  readonly role: StaffRole;
  /** sha256 of the session cookie: identifies the session without being it. */
  readonly sessionHash: string;
  readonly csrfToken: string;
  readonly sessionExpiresAt: string;
}

export interface TokenPrincipal {
  readonly kind: 'api_token';
  readonly tokenId: string;
  readonly clinicId: string;
}

export type Principal = StaffPrincipal | TokenPrincipal;

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    /** Set by the auth hook on `staff` and `admin` routes; null elsewhere. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}
