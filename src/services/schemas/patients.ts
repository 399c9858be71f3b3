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
    erasedAt: { type: ['string', 'null'] },
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

/** The list: `q` (accents and case aside), `cursor` from the previous page, `limit`. */
export const patientListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...patientSearchQuerySchema.properties,
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

export const duplicateQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName'],
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', maxLength: 254 },
    phone: { type: 'string', maxLength: 30 },
  },
} as const;

/** A correction replaces all four fields; an empty or absent route removes it. */
export const patientEditSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName', 'language'],
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', maxLength: 254 },
    phone: { type: 'string', maxLength: 30 },
    language: { type: 'string', enum: [...LOCALES] },
  },
} as const;

export const eraseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['confirmName'],
  properties: {
    confirmName: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "The patient's name, typed again",
    },
  },
} as const;

export const linkParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'linkId'],
  properties: { id: uuidSchema, linkId: uuidSchema },
} as const;

const countSchema = { type: 'integer' } as const;
export const erasureSchema = {
  type: 'object',
  properties: {
    sessions: countSchema,
    checkIns: countSchema,
    alerts: countSchema,
    linksRevoked: countSchema,
    messagesCancelled: countSchema,
    messagesRedacted: countSchema,
  },
} as const;

export const patientContactsSchema = {
  type: 'object',
  properties: {
    patient: patientSchema,
    links: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: uuidSchema,
          sessionId: uuidSchema,
          state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
          createdAt: instantSchema,
          expiresAt: instantSchema,
          revokedAt: { type: ['string', 'null'] },
        },
      },
    },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: uuidSchema,
          sessionId: uuidSchema,
          kind: { type: 'string' },
          status: { type: 'string', enum: ['pending', 'sent', 'dead'] },
          attempts: { type: 'integer' },
          failed: { type: 'boolean' },
          // Status `sent` with one of these true: it did not go out. Cancelled before it was
          // due (a new link, or stopped), or not needed when it was (answered already).
          cancelled: { type: 'boolean' },
          skipped: { type: 'boolean' },
          dueAt: instantSchema,
          sentAt: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
