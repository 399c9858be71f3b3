/**
 * The patient shapes every door uses: the JSON API validates and documents with them, the
 * dashboard validates its quick-add form with the same `newPatientSchema`, and the TypeScript
 * types come from the schemas (`FromSchema`), so the two can never drift.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { LOCALES } from '../../clinical/types.ts';
import { instantSchema, uuidSchema } from './common.ts';

export const newPatientSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName'],
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 254 },
    phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{4,29}$' },
    language: { type: 'string', enum: [...LOCALES] },
    noContact: {
      type: 'boolean',
      description:
        'true to say plainly that the patient gave no phone or e-mail. Recording a session for a new patient needs a phone, an e-mail or this.',
    },
  },
} as const;

export type NewPatientBody = FromSchema<typeof newPatientSchema>;

export const patientSchema = {
  type: 'object',
  properties: {
    id: uuidSchema,
    displayName: { type: 'string' },
    email: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    language: { type: 'string' },
    createdAt: instantSchema,
  },
} as const;

export const patientSearchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 100, default: '' },
    limit: {
      type: 'string',
      pattern: '^([1-9]|[1-9][0-9]|100)$',
      default: '20',
      description: '1 to 100',
    },
  },
} as const;
