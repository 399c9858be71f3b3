import type { FastifyInstance } from 'fastify';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import type { SystemActor } from '../services/actors.ts';
import { AppError } from '../services/errors.ts';
import { discloseClinicRecord } from '../services/fhir-records.ts';
import { findPatientIdByIdentifier } from '../store/interop.repository.ts';
import { authenticateCdsClient, type KeySetCache } from './cds/auth.ts';
import { type Card, PATIENT_VIEW_SERVICE_ID, patientViewCards } from './cds/cards.ts';

/**
 * The CDS Hooks 2.0 door (docs/decisions/0904, docs/interop.md): discovery at
 * `GET /cds-services`, the `patient-view` service at `POST /cds-services/needlecare-patient-view`.
 */
export const CDS_PREFIX = '/cds-services';

const patientViewBody = {
  type: 'object',
  required: ['hook', 'hookInstance', 'context'],
  properties: {
    hook: { type: 'string', const: 'patient-view' },
    hookInstance: { type: 'string', minLength: 1, maxLength: 100 },
    fhirServer: { type: 'string', maxLength: 2000 },
    fhirAuthorization: { type: 'object' },
    context: {
      type: 'object',
      required: ['userId', 'patientId'],
      properties: {
        userId: { type: 'string', minLength: 1, maxLength: 200 },
        patientId: { type: 'string', minLength: 1, maxLength: 200 },
        encounterId: { type: 'string', maxLength: 200 },
      },
    },
    prefetch: { type: 'object' },
  },
} as const;

interface PatientViewBody {
  hook: 'patient-view';
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: { access_token?: string };
  context: { userId: string; patientId: string; encounterId?: string };
  prefetch?: {
    patient?: {
      resourceType?: string;
      id?: string;
      identifier?: { system?: string; value?: string }[];
    } | null;
  };
}

/** The EHR's Patient: from prefetch, else read from its FHIR server with the token it gave. */
async function ehrPatient(
  body: PatientViewBody,
): Promise<NonNullable<NonNullable<PatientViewBody['prefetch']>['patient']>> {
  const prefetched = body.prefetch?.patient;
  if (prefetched !== undefined && prefetched !== null) {
    if (prefetched.resourceType !== 'Patient')
      throw new AppError('validation_failed', 'prefetch.patient: must be a Patient', {
        errors: [{ field: 'prefetch.patient', message: 'must be a Patient resource' }],
      });
    return prefetched;
  }
  const server = body.fhirServer;
  const token = body.fhirAuthorization?.access_token;
  if (server === undefined || token === undefined || !server.startsWith('https://')) {
    // CDS Hooks: 412 when the service cannot get the data it needs.
    throw new AppError(
      'bad_request',
      'Prefetch "patient" (Patient/{{context.patientId}}) is required.',
      {
        errors: [{ field: 'prefetch.patient', message: 'is required' }],
      },
    );
  }
  const res = await fetch(
    `${server.replace(/\/$/, '')}/Patient/${encodeURIComponent(body.context.patientId)}`,
    {
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
      signal: AbortSignal.timeout(3000),
    },
  );
  if (!res.ok) throw new AppError('unavailable', 'Could not read the patient from the EHR.');
  return (await res.json()) as NonNullable<NonNullable<PatientViewBody['prefetch']>['patient']>;
}

export async function cdsHooksRoutes(app: FastifyInstance): Promise<void> {
  const keySets: KeySetCache = new Map();
  const serviceUrl = `${app.deps.config.publicUrl}${CDS_PREFIX}/${PATIENT_VIEW_SERVICE_ID}`;
  // Cards carry patient data: never cached (this plugin's routes only: it is encapsulated).
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get(CDS_PREFIX, { config: { access: 'public' }, schema: { hide: true } }, async () => ({
    services: [
      {
        hook: 'patient-view',
        id: PATIENT_VIEW_SERVICE_ID,
        title: 'Needlecare: dry-needling aftercare alerts',
        description:
          'Shows unresolved urgent and emergency alerts from Needlecare check-ins after dry needling, and reminds to ask about breathlessness after needling near the chest in the last 48 hours.',
        prefetch: { patient: 'Patient/{{context.patientId}}' },
      },
    ],
  }));

  app.post<{ Body: PatientViewBody }>(
    `${CDS_PREFIX}/${PATIENT_VIEW_SERVICE_ID}`,
    {
      config: { access: 'public' },
      schema: { hide: true, body: patientViewBody },
      // Authenticate before the body is read: an unknown caller learns nothing about it.
      onRequest: async (request) => {
        const client = await authenticateCdsClient(
          app.deps,
          request.headers.authorization,
          serviceUrl,
          keySets,
          { ip: request.ip, requestId: request.id },
        );
        (request as { cdsClient?: typeof client }).cdsClient = client;
      },
    },
    async (request) => {
      const client = (request as { cdsClient?: Awaited<ReturnType<typeof authenticateCdsClient>> })
        .cdsClient;
      if (client === undefined)
        throw new AppError('unauthenticated', 'A valid CDS Hooks JWT is required.');
      const patient = await ehrPatient(request.body);
      const value = (patient.identifier ?? []).find(
        (i) => i.system === client.identifierSystem,
      )?.value;
      if (value === undefined) return { cards: [] };
      const patientId = await findPatientIdByIdentifier(app.deps.db, client.clinicId, {
        system: client.identifierSystem,
        value,
      });
      if (patientId === undefined) return { cards: [] };
      const actor: SystemActor = {
        kind: 'system',
        name: `cds:${client.id}`,
        clinicId: client.clinicId,
        ip: request.ip,
        requestId: request.id,
      };
      const now = app.deps.clock.now();
      const cards = await discloseClinicRecord<Card[]>(app.deps, actor, {
        action: 'cds.patient_view',
        subject: 'patient-view',
        patientId,
        project: (record) => {
          const result = patientViewCards(record, {
            publicUrl: app.deps.config.publicUrl,
            now,
            currentRulebook: RULEBOOK_V1.version,
          });
          return { result, patientIds: result.length > 0 ? [patientId] : [] };
        },
      });
      return { cards };
    },
  );
}
