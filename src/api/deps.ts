import type { ServiceDeps } from '../services/deps.ts';
import type { PatientLimits } from '../services/patient-limits.ts';
import type { StaffPrincipal, TokenPrincipal } from '../services/staff-auth.ts';

/** The services every route may use (`app.deps`): the use cases' dependencies. */
export type AppDeps = ServiceDeps;

/**
 * Who may call a route, declared on every route as `config: { access }`:
 * - `public`: anyone (health, sign-in, docs);
 * - `link`: anyone holding a patient-link token in the path (checked by the handler);
 * - `staff`: a signed-in practitioner or admin, or an API token of the clinic;
 * - `admin`: a signed-in clinic admin (API tokens are refused: they cannot mint tokens).
 * A `/api/v1` route that declares nothing is treated as `staff` (deny by default).
 */
export type Access = 'public' | 'link' | 'staff' | 'admin';

/** Who the auth hook found (src/services/staff-auth.ts). */
export type Principal = StaffPrincipal | TokenPrincipal;
export type { StaffPrincipal, TokenPrincipal };

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    /**
     * The one counter of patient-link POSTs, shared by the patient pages and the JSON API
     * (src/api/patient-link-limits.ts). In memory: per process (decision 1121).
     */
    patientLimits: PatientLimits;
  }
  interface FastifyRequest {
    /** Set by the auth hook on `staff` and `admin` routes; null elsewhere. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}
