/**
 * Response shapes shared by several routes: JSON Schemas (documentation and serialisation)
 * and the functions that build them from store records. Rule texts of stored assessments
 * are looked up from the rulebook version that made them; the decision itself is never
 * re-derived.
 */
import { findMuscle } from '../../clinical/muscles.ts';
import { findRule } from '../../clinical/rulebook.ts';
import { RULEBOOK_V1 } from '../../clinical/rulebook-v1.ts';
import type { FiredRule, Assessment as TriageAssessment } from '../../clinical/triage.ts';
import { DISPOSITIONS, PHASES, SIDES, SYMPTOM_CODES } from '../../clinical/types.ts';
import type { Alert } from '../../store/alerts.repository.ts';
import type {
  CheckInWithAssessment,
  Assessment as StoredAssessment,
} from '../../store/checkins.repository.ts';
import type { NeedlingSession } from '../../store/sessions.repository.ts';
import type { AlertDetail } from '../alerts.ts';
import { LEVEL_OF_SEVERITY } from '../levels.ts';
import { instantSchema, nullableInstant, uuidSchema } from './common.ts';

const RULEBOOKS = new Map([[RULEBOOK_V1.version, RULEBOOK_V1]]);

export const textSchema = {
  type: 'object',
  properties: { en: { type: 'string' }, es: { type: 'string' } },
} as const;

export const firedRuleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    disposition: { type: 'string', enum: [...DISPOSITIONS] },
    patientText: textSchema,
    clinicianText: textSchema,
  },
} as const;

export const siteViewSchema = {
  type: 'object',
  properties: {
    muscle: { type: 'string' },
    side: { type: ['string', 'null'], enum: [...SIDES, null] },
    needleCount: { type: ['integer', 'null'] },
    name: textSchema,
    everyday: textSchema,
    thoracic: { type: 'boolean' },
  },
} as const;

export const sessionViewSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    patientId: uuidSchema,
    practitionerId: { type: ['string', 'null'] },
    performedAt: instantSchema,
    thoracic: { type: 'boolean' },
    bilateralThoracic: { type: 'boolean' },
    notes: { type: ['string', 'null'] },
    createdAt: instantSchema,
    sites: { type: 'array', items: siteViewSchema },
  },
} as const;

export const planSchema = {
  type: 'object',
  properties: {
    thoracic: { type: 'boolean' },
    checkIns: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          hoursAfter: { type: 'number' },
          dueAt: instantSchema,
          early: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const bandSchema = {
  type: 'object',
  properties: {
    min: { type: 'integer' },
    max: { type: 'integer' },
    toleratedMax: { type: 'integer' },
  },
} as const;

export const assessmentViewSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    checkInId: uuidSchema,
    disposition: { type: 'string', enum: [...DISPOSITIONS] },
    ruleIds: { type: 'array', items: { type: 'string' } },
    rules: { type: 'array', items: firedRuleSchema },
    rulebookVersion: { type: 'string' },
    phase: { type: 'string', enum: [...PHASES] },
    thoracic: { type: 'boolean' },
    hoursAfter: { type: 'number' },
    expectedBand: bandSchema,
    createdAt: instantSchema,
  },
} as const;

export const checkInViewSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    receivedAt: instantSchema,
    hoursAfter: { type: 'number' },
    soreness: { type: ['integer', 'null'] },
    symptoms: { type: 'array', items: { type: 'string', enum: [...SYMPTOM_CODES] } },
    note: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['patient', 'emergency_button', 'staff'] },
    assessment: { anyOf: [assessmentViewSchema, { type: 'null' }] },
  },
} as const;

export const alertViewSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    sessionId: uuidSchema,
    patientId: uuidSchema,
    assessmentId: { type: ['string', 'null'] },
    severity: { type: 'string', enum: ['routine', 'urgent', 'emergency'] },
    status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
    createdAt: instantSchema,
    acknowledgedAt: nullableInstant,
    acknowledgedBy: { type: ['string', 'null'] },
    resolvedAt: nullableInstant,
    resolvedBy: { type: ['string', 'null'] },
    resolutionNote: { type: ['string', 'null'] },
    level: {
      type: 'string',
      enum: [...DISPOSITIONS],
      description: 'The triage level that raised the alert: the same names as check-ins',
    },
    outcome: {
      type: ['string', 'null'],
      enum: ['confirmed', 'false_alarm', 'unrelated', null],
    },
    outcomeClass: { type: ['string', 'null'], enum: ['mild', 'significant', 'serious', null] },
  },
} as const;

/** An alert with how to reach the patient and the attempts made (the alerts API). */
export const alertDetailViewSchema = {
  type: 'object',
  properties: {
    ...alertViewSchema.properties,
    patientContact: {
      type: 'object',
      properties: {
        email: { type: ['string', 'null'] },
        phone: { type: ['string', 'null'] },
        phoneUri: { type: ['string', 'null'], description: 'tel: link' },
        noContactGiven: { type: 'boolean' },
      },
    },
    contactAttempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: uuidSchema,
          staffId: { type: ['string', 'null'] },
          at: instantSchema,
          note: { type: 'string' },
        },
      },
    },
    alsoReported: {
      type: 'array',
      description:
        'The other reports above self-care made while the alert was open (until acknowledged or resolved), newest first: a lower or equal one leaves the alert as it is, and a raise points it at the newer one (decision 1225)',
      items: {
        type: 'object',
        properties: {
          checkInId: uuidSchema,
          assessmentId: uuidSchema,
          receivedAt: instantSchema,
          hoursAfter: { type: 'number' },
          soreness: { type: ['integer', 'null'] },
          symptoms: { type: 'array', items: { type: 'string' } },
          level: { type: 'string', enum: [...DISPOSITIONS] },
          rules: { type: 'array', items: { type: 'string' } },
          rulebookVersion: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface SiteView {
  muscle: string;
  side: string | null;
  needleCount: number | null;
  name: { en: string; es: string } | null;
  everyday: { en: string; es: string } | null;
  thoracic: boolean;
}

export function siteView(site: NeedlingSession['sites'][number]): SiteView {
  const muscle = findMuscle(site.muscle);
  return {
    muscle: site.muscle,
    side: site.side,
    needleCount: site.needleCount,
    name: muscle?.name ?? null,
    everyday: muscle?.everyday ?? null,
    thoracic: muscle?.thoracic ?? true,
  };
}

export function sessionView(
  session: NeedlingSession,
): Omit<NeedlingSession, 'sites' | 'clinicId'> & { sites: SiteView[] } {
  const { clinicId: _clinicId, sites, ...rest } = session;
  return { ...rest, sites: sites.map(siteView) };
}

/** Texts of a stored assessment's rules, from the rulebook version that fired them. */
export function firedRulesOf(
  ruleIds: readonly string[],
  version: string,
  thoracic: boolean,
): FiredRule[] {
  const rulebook = RULEBOOKS.get(version);
  return ruleIds.flatMap((id) => {
    const rule = rulebook === undefined ? undefined : findRule(rulebook, id);
    if (rule === undefined) return [];
    const patientText =
      thoracic && rule.texts.patientThoracic !== undefined
        ? rule.texts.patientThoracic
        : rule.texts.patient;
    return [
      { id, disposition: rule.disposition, patientText, clinicianText: rule.texts.clinician },
    ];
  });
}

export function storedAssessmentView(a: StoredAssessment) {
  return {
    id: a.id,
    checkInId: a.checkInId,
    disposition: a.disposition,
    ruleIds: a.rules,
    rules: firedRulesOf(a.rules, a.rulebookVersion, a.thoracic),
    rulebookVersion: a.rulebookVersion,
    phase: a.phase,
    thoracic: a.thoracic,
    createdAt: a.createdAt,
  };
}

/** A fresh decision of the core, with the ids under which it was stored. */
export function freshAssessmentView(stored: StoredAssessment, decided: TriageAssessment) {
  return {
    id: stored.id,
    checkInId: stored.checkInId,
    disposition: decided.disposition,
    ruleIds: decided.ruleIds,
    rules: decided.rules,
    rulebookVersion: decided.rulebookVersion,
    phase: decided.phase,
    thoracic: decided.thoracic,
    hoursAfter: decided.hoursAfter,
    expectedBand: decided.expectedBand,
    createdAt: stored.createdAt,
  };
}

export function checkInView(c: CheckInWithAssessment) {
  return {
    id: c.id,
    receivedAt: c.receivedAt,
    hoursAfter: c.hoursAfter,
    soreness: c.soreness,
    symptoms: c.symptoms,
    note: c.note,
    source: c.source,
    assessment: c.assessment === null ? null : storedAssessmentView(c.assessment),
  };
}

export function alertView(a: Alert) {
  const { clinicId: _clinicId, ...rest } = a;
  return { ...rest, level: LEVEL_OF_SEVERITY[a.severity] };
}

/** `tel:` URI of a stored phone number: digits and a leading plus only. */
export function telUri(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`;
}

export function alertDetailView(d: AlertDetail) {
  return {
    ...alertView(d.alert),
    patientContact: {
      email: d.contact.email,
      phone: d.contact.phone,
      phoneUri: d.contact.phone === null ? null : telUri(d.contact.phone),
      noContactGiven: d.contact.noContactGiven,
    },
    contactAttempts: d.attempts.map((a) => ({
      id: a.id,
      staffId: a.staffId,
      at: a.at,
      note: a.note,
    })),
    alsoReported: d.alsoReported.flatMap((c) =>
      c.assessment === null
        ? []
        : [
            {
              checkInId: c.id,
              assessmentId: c.assessment.id,
              receivedAt: c.receivedAt,
              hoursAfter: c.hoursAfter,
              soreness: c.soreness,
              symptoms: [...c.symptoms],
              level: c.assessment.disposition,
              rules: [...c.assessment.rules],
              rulebookVersion: c.assessment.rulebookVersion,
            },
          ],
    ),
  };
}

/** Stored sites as the clinical core takes them (a missing side is absent, not null). */
export function coreSites(
  sites: NeedlingSession['sites'],
): { muscle: string; side?: (typeof SIDES)[number] }[] {
  return sites.map((s) =>
    s.side === null ? { muscle: s.muscle } : { muscle: s.muscle, side: s.side },
  );
}
