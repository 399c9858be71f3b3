import type { FastifyInstance } from 'fastify';
import { exportClinic } from '../../../services/patient-records.ts';
import { requestActor } from '../../audit.ts';
import { AUTHED_PROBLEMS, problemResponses } from '../../schemas.ts';

/** The whole clinic's data as a ZIP download (admins; decision 1311). */
export async function adminExportRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  app.get(
    '/export',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "The clinic's whole data as a ZIP of one JSON and one CSV file per table",
        response: { ...problemResponses(...AUTHED_PROBLEMS, 'forbidden') },
      },
    },
    async (request, reply) => {
      const actor = requestActor(request);
      const clinicId = actor.clinicId ?? '';
      const result = await exportClinic(deps, actor, { clinicId });
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${result.fileName}"`)
        .header('cache-control', 'no-store')
        .send(result.zip);
    },
  );
}
