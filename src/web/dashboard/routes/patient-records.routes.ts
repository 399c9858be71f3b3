import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { AppError } from '../../../services/errors.ts';
import {
  editPatient,
  erasePatient,
  exportClinic,
  exportPatient,
  listPatients,
  readPatientContacts,
  revokeOnePatientLink,
} from '../../../services/patient-records.ts';
import { listStaff } from '../../../store/staff.repository.ts';
import { field, sendPage, staffOf, UUID_RE } from '../context.ts';
import { messagePage } from '../layout.ts';
import { patientPrintPage } from '../pages/patient-print.page.ts';
import { patientRecordPage, patientsPage } from '../pages/patients.page.ts';
import { tp } from '../patients-messages.ts';
import { issueWords } from '../service-words.ts';

const staffRoute = { access: 'public', dashboard: 'staff' } as const;
const FIELD_KEY = {
  displayName: 'fieldName',
  email: 'fieldEmail',
  phone: 'fieldPhone',
  language: 'fieldLanguage',
} as const;

type IdParams = { Params: { id: string } };

/** The patients list, a patient's details (edit, links, reminders, export, erase). */
export async function dashboardPatientRecordRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;

  function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    return sendPage(
      reply,
      404,
      messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
    );
  }

  /** Run `fn`, answering a foreign or unknown id (or a bad cursor) as the 404/400 page. */
  async function guarded(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    fn: () => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    if (!UUID_RE.test(request.params.id)) return notFound(request, reply);
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return notFound(request, reply);
      throw error;
    }
  }

  const done = (request: FastifyRequest): string | undefined => {
    const L = staffOf(request).page.locale;
    const d = (request.query as Record<string, unknown>).done;
    if (d === 'saved') return tp(L, 'saved');
    if (d === 'revoked') return tp(L, 'revoked');
    if (d === 'erased') return tp(L, 'erased');
    return undefined;
  };

  app.get<{ Querystring: { q?: string; cursor?: string } }>(
    '/patients',
    { config: staffRoute },
    async (request, reply) => {
      const { clinic, page } = staffOf(request);
      const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 100) : '';
      const cursor = typeof request.query.cursor === 'string' ? request.query.cursor : '';
      try {
        const list = await listPatients(deps, requestActor(request), {
          q,
          cursor,
          via: 'dashboard',
        });
        const flash = done(request);
        return sendPage(
          reply,
          200,
          patientsPage(page, {
            q,
            items: list.items,
            nextCursor: list.nextCursor,
            paged: cursor !== '',
            timeZone: clinic.timeZone,
            ...(flash === undefined ? {} : { flash }),
          }),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'validation_failed') {
          return reply.redirect(`/app/patients?q=${encodeURIComponent(q)}`, 303);
        }
        throw error;
      }
    },
  );

  async function recordPage(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    status: number,
    extra: {
      errors?: string[];
      form?: { displayName: string; email: string; phone: string; language: string };
    } = {},
  ): Promise<FastifyReply> {
    const { staff, clinic, page } = staffOf(request);
    const contacts = await readPatientContacts(deps, requestActor(request), {
      patientId: request.params.id,
    });
    const flash = done(request);
    return sendPage(
      reply,
      status,
      patientRecordPage(page, {
        contacts,
        timeZone: clinic.timeZone,
        isAdmin: staff.role === 'admin',
        errors: extra.errors ?? [],
        ...(extra.form === undefined ? {} : { form: extra.form }),
        ...(flash === undefined ? {} : { flash }),
      }),
    );
  }

  app.get<IdParams>('/patients/:id/record', { config: staffRoute }, (request, reply) =>
    guarded(request, reply, () => recordPage(request, reply, 200)),
  );

  app.post<IdParams>('/patients/:id/record', { config: staffRoute }, (request, reply) =>
    guarded(request, reply, async () => {
      const form = {
        displayName: field(request.body, 'displayName'),
        email: field(request.body, 'email'),
        phone: field(request.body, 'phone'),
        language: field(request.body, 'language'),
      };
      try {
        await editPatient(deps, requestActor(request), { ...form, patientId: request.params.id });
      } catch (error) {
        if (error instanceof AppError && error.code === 'validation_failed') {
          const L = staffOf(request).page.locale;
          const errors = (error.errors ?? []).map((e) =>
            tp(L, 'badFieldWhy', {
              field: tp(L, FIELD_KEY[e.field as keyof typeof FIELD_KEY] ?? 'fieldName'),
              why: issueWords(L, e),
            }),
          );
          return recordPage(request, reply, 400, { errors, form });
        }
        throw error;
      }
      return reply.redirect(`/app/patients/${request.params.id}/record?done=saved`, 303);
    }),
  );

  app.post<{ Params: { id: string; linkId: string } }>(
    '/patients/:id/links/:linkId/revoke',
    { config: staffRoute },
    (request, reply) =>
      guarded(request, reply, async () => {
        try {
          await revokeOnePatientLink(deps, requestActor(request), {
            patientId: request.params.id,
            linkId: request.params.linkId,
          });
        } catch (error) {
          // Already revoked (a second click): the page shows the link's state either way.
          if (!(error instanceof AppError && error.code === 'conflict')) throw error;
        }
        return reply.redirect(`/app/patients/${request.params.id}/record?done=revoked`, 303);
      }),
  );

  app.get<IdParams>('/patients/:id/export.json', { config: staffRoute }, (request, reply) =>
    guarded(request, reply, async () => {
      const record = await exportPatient(deps, requestActor(request), {
        patientId: request.params.id,
        via: 'dashboard',
      });
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="patient-${record.patient.id}.json"`)
        .header('cache-control', 'no-store')
        .send(JSON.stringify(record, null, 2));
    }),
  );

  // The whole record as a printable page: the JSON export's data, audited as an export read.
  app.get<IdParams>('/patients/:id/print', { config: staffRoute }, (request, reply) =>
    guarded(request, reply, async () => {
      const { staff, clinic, page } = staffOf(request);
      const record = await exportPatient(deps, requestActor(request), {
        patientId: request.params.id,
        via: 'print',
      });
      const staffNames = new Map(
        (await listStaff(deps.db, staff.clinicId)).map((u) => [u.id, u.displayName]),
      );
      return sendPage(
        reply,
        200,
        patientPrintPage(page, {
          record,
          clinicName: clinic.name,
          staffNames,
          timeZone: clinic.timeZone,
        }),
      );
    }),
  );

  app.get(
    '/clinic/export.zip',
    { config: { access: 'public', dashboard: 'admin' } },
    async (request, reply) => {
      const { staff } = staffOf(request);
      const result = await exportClinic(deps, requestActor(request), { clinicId: staff.clinicId });
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${result.fileName}"`)
        .header('cache-control', 'no-store')
        .send(result.zip);
    },
  );

  app.post<IdParams>(
    '/patients/:id/erase',
    { config: { access: 'public', dashboard: 'admin' } },
    (request, reply) =>
      guarded(request, reply, async () => {
        try {
          await erasePatient(deps, requestActor(request), {
            patientId: request.params.id,
            confirmName: field(request.body, 'confirmName'),
          });
        } catch (error) {
          if (error instanceof AppError && error.code === 'validation_failed') {
            const L = staffOf(request).page.locale;
            return recordPage(request, reply, 400, { errors: [tp(L, 'eraseMismatch')] });
          }
          if (error instanceof AppError && error.code === 'conflict') {
            return reply.redirect(`/app/patients/${request.params.id}/record`, 303);
          }
          throw error;
        }
        return reply.redirect('/app/patients?done=erased', 303);
      }),
  );
}
