import type { StaffRole } from '../store/staff.repository.ts';
import { AppError } from './errors.ts';

/**
 * Who asks a service to act. Doors build the actor from what they authenticated (a staff
 * session, an API token, a patient link, nobody) and where the request came from; services
 * decide what that actor may do. `ip` and `requestId` feed the audit event.
 */
interface ActorBase {
  readonly ip: string;
  readonly requestId: string;
}

export interface StaffActor extends ActorBase {
  readonly kind: 'staff';
  readonly userId: string;
  readonly clinicId: string;
  readonly role: StaffRole;
}

export interface TokenActor extends ActorBase {
  readonly kind: 'api_token';
  readonly tokenId: string;
  readonly clinicId: string;
}

/** Holder of a patient link: acts on that link's session only. */
export interface LinkActor extends ActorBase {
  readonly kind: 'patient_link';
  readonly linkId: string;
  readonly clinicId: string;
}

/** Nobody signed in (sign-in, the reminders stop page before its token is checked). */
export interface AnonymousActor extends ActorBase {
  readonly kind: 'anonymous';
  readonly clinicId: string | null;
  /** What the anonymous caller presented, if anything (a link id once resolved). */
  readonly actorId: string | null;
}

/** The worker, the CLI, the demo seed: trusted code acting without a person. */
export interface SystemActor extends ActorBase {
  readonly kind: 'system';
  readonly clinicId: string | null;
  /** What acts: `worker:<id>`, `cli`, `demo-seed`. */
  readonly name: string;
}

export type Actor = StaffActor | TokenActor | LinkActor | AnonymousActor | SystemActor;

/** A staff member or an API token of a clinic: who may read and write that clinic's data. */
export type ClinicActor = StaffActor | TokenActor;

/** Refuse anyone but a clinic's staff or its API tokens. */
export function requireClinicActor(actor: Actor): asserts actor is ClinicActor {
  if (actor.kind !== 'staff' && actor.kind !== 'api_token') {
    throw new AppError('unauthenticated', 'Sign in first.');
  }
}

/** Refuse anyone but a signed-in person (API tokens cannot, for example, change staff). */
export function requireStaff(actor: Actor): asserts actor is StaffActor {
  if (actor.kind !== 'staff')
    throw new AppError('forbidden', 'Only a signed-in person may do this.');
}

/** Refuse anyone but a signed-in clinic admin. */
export function requireAdmin(actor: Actor): asserts actor is StaffActor & { role: 'admin' } {
  requireStaff(actor);
  if (actor.role !== 'admin') throw new AppError('forbidden', 'Only a clinic admin may do this.');
}
