/**
 * The needling-session shapes: what recording a session takes (the JSON API's body; the
 * dashboard form is parsed into the same type) and what it answers.
 */
import { LIMITS, siteJsonSchema } from '../../clinical/case-schema.ts';
import { instantSchema, uuidSchema } from './common.ts';
import { newPatientSchema, patientSchema } from './patients.ts';
import { planSchema, sessionViewSchema } from './views.ts';

export const recordSessionBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['performedAt', 'sites'],
  properties: {
    patientId: { ...uuidSchema, description: 'An existing patient; or send `patient` to add one' },
    patient: newPatientSchema,
    performedAt: { type: 'string', format: 'date-time' },
    sites: { type: 'array', minItems: 1, maxItems: LIMITS.maxSites, items: siteJsonSchema },
    notes: { type: 'string', maxLength: 2000 },
  },
} as const;

export const issuedLinkSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    url: { type: 'string', description: "The patient's page; shown once, stored only hashed" },
    expiresAt: instantSchema,
  },
} as const;

export const recordedSessionSchema = {
  type: 'object',
  properties: {
    session: sessionViewSchema,
    patient: patientSchema,
    plan: planSchema,
    warnings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string', enum: ['bilateral_thoracic'] },
          message: { type: 'string' },
        },
      },
    },
    link: issuedLinkSchema,
  },
} as const;
