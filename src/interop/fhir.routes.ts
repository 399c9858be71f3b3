import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../api/audit.ts';
import { toAppError } from '../api/errors.ts';
import { AppError } from '../services/errors.ts';
import {
  deleteFhirExportJob,
  downloadFhirExportFile,
  findLiveFhirExport,
  startFhirExport,
} from '../services/fhir-export.ts';
import { discloseClinicRecord } from '../services/fhir-records.ts';
import type { ClinicRecord } from '../store/interop.repository.ts';
import { capabilityStatement } from './fhir/capability.ts';
import { exportRecord, parseExportTypes } from './fhir/export.ts';
import { toFhirResources } from './fhir/map.ts';
import { FHIR_JSON, FHIR_NDJSON, operationOutcomeOf } from './fhir/outcome.ts';
import {
  indexByKey,
  isSearchableType,
  keyOf,
  matchAll,
  parseSearch,
  patientOf,
  type SearchableType,
  SearchError,
  searchsetBundle,
} from './fhir/search.ts';

/**
 * The FHIR R4 door, mounted at `/fhir/R4` (docs/decisions/0902, docs/interop.md): parse →
 * `discloseClinicRecord` (auth, clinic scope, audit) with the pure mapping as its projection →
 * `application/fhir+json`. Errors are OperationOutcome. Read-only, but for `$export` jobs.
 */
export const FHIR_PREFIX = '/fhir/R4';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function fhirBase(app: FastifyInstance): string {
  return `${app.deps.config.publicUrl}${FHIR_PREFIX}`;
}

/** The request's query as ordered pairs (repeated parameters kept). */
function queryPairs(request: FastifyRequest): [string, string][] {
  const raw = request.raw.url ?? '';
  const q = raw.indexOf('?');
  return q === -1 ? [] : [...new URLSearchParams(raw.slice(q + 1)).entries()];
}

function selfUrl(app: FastifyInstance, request: FastifyRequest): URL {
  return new URL(`${app.deps.config.publicUrl}${request.raw.url ?? ''}`);
}

function badSearch(error: unknown): never {
  if (error instanceof SearchError) {
    throw new AppError('bad_request', error.message, {
      errors: [
        {
          field: error.parameter,
          message: error.message.replace(`${error.parameter}: `, ''),
        },
      ],
    });
  }
  throw error;
}

function sendFhir(reply: FastifyReply, status: number, body: Resource): FastifyReply {
  return reply.status(status).type(FHIR_JSON).send(body);
}

function patientsIn(resources: readonly Resource[], everything: readonly Resource[]): string[] {
  const byKey = indexByKey(everything);
  return resources.map((r) => patientOf(r, byKey)).filter((p): p is string => p !== undefined);
}

export async function fhirRoutes(app: FastifyInstance): Promise<void> {
  await app.register(
    async (fhir) => {
      fhir.setErrorHandler((error: FastifyError, request, reply) => {
        const appError = toAppError(error);
        if (appError.status >= 500) request.log.error({ err: error }, 'FHIR request failed');
        if (appError.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer');
        return sendFhir(reply, appError.status, operationOutcomeOf(appError, request.id));
      });
      fhir.setNotFoundHandler((request, reply) =>
        sendFhir(
          reply,
          404,
          operationOutcomeOf(new AppError('not_found', 'No such FHIR endpoint.'), request.id),
        ),
      );
      fhir.addHook('onSend', async (_request, reply, payload) => {
        // Patient data: never cached; JSON only, nothing in it may run or be framed.
        reply.header('cache-control', 'no-store');
        reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
        return payload;
      });

      fhir.get(
        '/metadata',
        { config: { access: 'public' }, schema: { hide: true } },
        async (_req, reply) =>
          sendFhir(
            reply,
            200,
            capabilityStatement(fhirBase(app), app.deps.clock.now().toISOString()),
          ),
      );

      fhir.get<{ Params: { id: string } }>(
        '/Patient/:id/$everything',
        { config: { access: 'staff' }, schema: { hide: true } },
        async (request, reply) => {
          const { id } = request.params;
          if (!ID.test(id)) throw new AppError('not_found', 'No such patient.');
          let query: ReturnType<typeof parseSearch>;
          try {
            query = parseSearch(
              'Patient',
              queryPairs(request).filter(([k]) => k === '_count' || k === '_offset'),
            );
          } catch (error) {
            badSearch(error);
          }
          const bundle = await discloseClinicRecord<Bundle>(app.deps, requestActor(request), {
            action: 'fhir.everything',
            subject: `Patient/${id}/$everything`,
            patientId: id,
            project: (record: ClinicRecord) => {
              const all = toFhirResources(record);
              return {
                result: searchsetBundle(all, query, fhirBase(app), selfUrl(app, request)),
                patientIds: [id],
              };
            },
          });
          return sendFhir(reply, 200, bundle);
        },
      );

      fhir.get<{ Params: { type: string } }>(
        '/:type',
        { config: { access: 'staff' }, schema: { hide: true } },
        async (request, reply) => {
          const type = request.params.type;
          if (!isSearchableType(type))
            throw new AppError('not_found', `${type} is not served here.`);
          let query: ReturnType<typeof parseSearch>;
          try {
            query = parseSearch(type, queryPairs(request));
          } catch (error) {
            badSearch(error);
          }
          const bundle = await discloseClinicRecord<Bundle>(app.deps, requestActor(request), {
            action: 'fhir.search',
            subject: type,
            ...(query.patient === undefined ? {} : { patientId: query.patient }),
            project: (record) => {
              const all = toFhirResources(record);
              const matches = matchAll(type, query, all);
              const result = searchsetBundle(matches, query, fhirBase(app), selfUrl(app, request));
              const page = (result.entry ?? []).flatMap((e) =>
                e.resource === undefined ? [] : [e.resource],
              );
              return { result, patientIds: patientsIn(page, all) };
            },
          }).catch((error: unknown) => {
            // A search by a patient who is not the clinic's finds nothing (not a 404).
            if (
              error instanceof AppError &&
              error.code === 'not_found' &&
              query.patient !== undefined
            )
              return searchsetBundle([], query, fhirBase(app), selfUrl(app, request));
            throw error;
          });
          return sendFhir(reply, 200, bundle);
        },
      );

      fhir.get<{ Params: { type: string; id: string } }>(
        '/:type/:id',
        { config: { access: 'staff' }, schema: { hide: true } },
        async (request, reply) => {
          const { type, id } = request.params;
          if (!isSearchableType(type))
            throw new AppError('not_found', `${type} is not served here.`);
          if (!ID.test(id)) throw new AppError('not_found', `No such ${type}.`);
          const resource = await readOne(app, request, type, id);
          return sendFhir(reply, 200, resource);
        },
      );

      registerExport(app, fhir);
    },
    { prefix: FHIR_PREFIX },
  );
}

async function readOne(
  app: FastifyInstance,
  request: FastifyRequest,
  type: SearchableType,
  id: string,
): Promise<Resource> {
  // A Patient read loads only that patient; other types search the clinic's record.
  return discloseClinicRecord<Resource>(app.deps, requestActor(request), {
    action: 'fhir.read',
    subject: `${type}/${id}`,
    ...(type === 'Patient' ? { patientId: id } : {}),
    project: (record) => {
      const all = toFhirResources(record);
      const found = all.find((r) => keyOf(r) === `${type}/${id}`);
      if (found === undefined) throw new AppError('not_found', `No such ${type}.`);
      return { result: found, patientIds: patientsIn([found], all) };
    },
  });
}

const EXPORT_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

function registerExport(app: FastifyInstance, fhir: FastifyInstance): void {
  fhir.get(
    '/$export',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const prefer = request.headers.prefer;
      if (
        typeof prefer !== 'string' ||
        !prefer.split(',').some((p) => p.trim() === 'respond-async')
      ) {
        throw new AppError('bad_request', 'Send "Prefer: respond-async" to start a bulk export.', {
          errors: [{ field: 'Prefer', message: 'must be respond-async' }],
        });
      }
      let since: string | undefined;
      let types: string[] | undefined;
      for (const [name, value] of queryPairs(request)) {
        if (name === '_since') {
          if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
            throw new AppError(
              'bad_request',
              '_since: expected an instant such as 2026-11-01T00:00:00Z',
              {
                errors: [{ field: '_since', message: 'must be an instant' }],
              },
            );
          since = new Date(value).toISOString();
        } else if (name === '_type') {
          const parsed = parseExportTypes(value);
          if (!Array.isArray(parsed))
            throw new AppError(
              'bad_request',
              `_type: not served here: ${parsed.unknown.join(', ')}`,
              {
                errors: [{ field: '_type', message: `unknown types ${parsed.unknown.join(', ')}` }],
              },
            );
          types = parsed;
        } else if (name === '_outputFormat') {
          if (!EXPORT_FORMATS.includes(value))
            throw new AppError('bad_request', '_outputFormat: only application/fhir+ndjson', {
              errors: [{ field: '_outputFormat', message: 'must be application/fhir+ndjson' }],
            });
        } else {
          throw new AppError('bad_request', `${name}: not a parameter of $export here`, {
            errors: [{ field: name, message: 'unsupported parameter' }],
          });
        }
      }
      const job = await startFhirExport(app.deps, requestActor(request), {
        requestUrl: selfUrl(app, request).toString(),
        since: since ?? null,
        project: (record) => {
          const { files, patientIds } = exportRecord(record, {
            ...(since === undefined ? {} : { since }),
            ...(types === undefined ? {} : { types }),
          });
          return { result: files, patientIds };
        },
      });
      return reply
        .status(202)
        .header('content-location', `${fhirBase(app)}/$export-status/${job.id}`)
        .type(FHIR_JSON)
        .send({
          resourceType: 'OperationOutcome',
          issue: [
            { severity: 'information', code: 'informational', diagnostics: 'Export started.' },
          ],
        });
    },
  );

  fhir.get<{ Params: { id: string } }>(
    '/$export-status/:id',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const job = await findLiveFhirExport(app.deps, requestActor(request), request.params.id);
      return reply
        .status(200)
        .header('expires', new Date(job.expiresAt).toUTCString())
        .type('application/json; charset=utf-8')
        .send({
          transactionTime: job.createdAt,
          request: job.requestUrl,
          requiresAccessToken: true,
          output: job.files.map((f) => ({
            type: f.type,
            url: `${fhirBase(app)}/$export-file/${job.id}/${f.type}.ndjson`,
            count: f.count,
          })),
          error: [],
        });
    },
  );

  fhir.delete<{ Params: { id: string } }>(
    '/$export-status/:id',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      await deleteFhirExportJob(app.deps, requestActor(request), request.params.id);
      return reply.status(202).send();
    },
  );

  fhir.get<{ Params: { id: string; file: string } }>(
    '/$export-file/:id/:file',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const match = /^([A-Za-z]+)\.ndjson$/.exec(request.params.file);
      if (match?.[1] === undefined) throw new AppError('not_found', 'No such file.');
      const ndjson = await downloadFhirExportFile(app.deps, requestActor(request), {
        exportId: request.params.id,
        type: match[1],
      });
      return reply.status(200).type(FHIR_NDJSON).send(ndjson);
    },
  );
}
