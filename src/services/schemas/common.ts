/**
 * The JSON Schema pieces every door shares (ids, instants). Route schemas validate input at
 * the edge and document the API; the dashboard validates its forms against the same ones.
 */
export const uuidSchema = { type: 'string', format: 'uuid' } as const;
export const instantSchema = { type: 'string', format: 'date-time' } as const;
export const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;

export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: uuidSchema },
} as const;
