import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { PATIENT_TYPES, SEARCHABLE_TYPES } from './search.ts';

/** What `/fhir/R4/metadata` answers: the types, interactions and parameters served. */
export function capabilityStatement(base: string, date: string): CapabilityStatement {
  const common = [
    {
      name: '_id',
      type: 'token' as const,
      documentation: 'Logical id; a comma-separated list matches any',
    },
    {
      name: '_lastUpdated',
      type: 'date' as const,
      documentation: 'When the resource last changed',
    },
  ];
  const resource: CapabilityStatementRestResource[] = SEARCHABLE_TYPES.map((type) => ({
    type,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      ...common,
      ...(PATIENT_TYPES.includes(type)
        ? [
            {
              name: 'patient',
              type: 'reference' as const,
              documentation: 'The patient (Patient/<id>)',
            },
            {
              name: 'date',
              type: 'date' as const,
              documentation: 'The clinical date (performed, effective, authored…)',
            },
          ]
        : []),
      ...(type === 'Patient'
        ? [{ name: 'identifier', type: 'token' as const, documentation: 'system|value' }]
        : []),
    ],
    ...(type === 'Patient'
      ? {
          operation: [
            {
              name: 'everything',
              definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
            },
          ],
        }
      : {}),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Needlecare',
    kind: 'instance',
    software: { name: 'Needlecare' },
    implementation: { description: 'Needlecare FHIR R4 API (read-only)', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Read-only. Paging with _count (at most 200) and _offset. Unknown search parameters are refused (400), never ignored.',
        security: {
          description:
            'Send a clinic API token as "Authorization: Bearer <token>". A token reads its own clinic only; every read is audited.',
        },
        resource,
        operation: [
          {
            name: 'export',
            definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
          },
        ],
      },
    ],
  };
}
