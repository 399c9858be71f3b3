import { RED_FLAG_SYMPTOMS, type SymptomCode } from '../clinical/types.ts';
import type { Clock } from './clock.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { linkTokenHash } from './secrets.ts';

/**
 * Limits on what a patient link's holder may send (issue 12, finding 7; decision 1112): per
 * link and per IP address, in memory like the sign-in limiter. A **safety** request — the
 * emergency button, or a check-in that ticks a red-flag symptom — is never held to the ordinary
 * limits: it has its own ceiling, `SAFETY_FACTOR` times higher, and the caller logs it when it
 * went past the ordinary one. Links are counted by the token's sha256, never the token.
 */
export interface PatientLimitSettings {
  readonly windowMs: number;
  /** Ordinary POSTs per link per window (`PATIENT_LINK_MAX`). */
  readonly perLink: number;
  /** Ordinary POSTs per IP address per window (`PATIENT_IP_MAX`). */
  readonly perIp: number;
  /** How many times the ordinary limits a safety request may reach. */
  readonly safetyFactor: number;
}

export const PATIENT_LIMITS: PatientLimitSettings = {
  windowMs: 10 * 60_000,
  perLink: 20,
  perIp: 60,
  safetyFactor: 10,
};

export interface PatientLimitOutcome {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
  /** A safety request past the ordinary limits (allowed under its ceiling): log it. */
  readonly overOrdinaryLimit: boolean;
}

export interface PatientLimits {
  hit(input: {
    readonly token: string;
    readonly ip: string;
    readonly safety: boolean;
  }): PatientLimitOutcome;
}

export function createPatientLimits(
  clock: Clock,
  limits: PatientLimitSettings = PATIENT_LIMITS,
): PatientLimits {
  const { windowMs, perLink, perIp, safetyFactor } = limits;
  const links = createRateLimiter(clock, perLink, windowMs);
  const ips = createRateLimiter(clock, perIp, windowMs);
  const safeLinks = createRateLimiter(clock, perLink * safetyFactor, windowMs);
  const safeIps = createRateLimiter(clock, perIp * safetyFactor, windowMs);
  return {
    hit({ token, ip, safety }) {
      // Written out, no arrays: every patient-link POST passes here (decision 1448).
      const link = `link:${linkTokenHash(token)}`;
      const byLink = links.hit(link);
      const byIp = ips.hit(ip);
      const overOrdinary = !byLink.allowed || !byIp.allowed;
      const a = safety ? safeLinks.hit(link) : byLink;
      const b = safety ? safeIps.hit(ip) : byIp;
      let retryAfterSeconds = 1;
      if (!a.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, a.retryAfterSeconds);
      if (!b.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, b.retryAfterSeconds);
      return {
        allowed: a.allowed && b.allowed,
        retryAfterSeconds,
        overOrdinaryLimit: safety && overOrdinary,
      };
    },
  };
}

/** Whether form or JSON symptoms include a red-flag one (strings outside the list ignored). */
export function ticksRedFlag(symptoms: unknown): boolean {
  const list = Array.isArray(symptoms) ? symptoms : [symptoms];
  return list.some((s) => typeof s === 'string' && RED_FLAG_SYMPTOMS.includes(s as SymptomCode));
}
