import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { buildInteropWorld, type InteropWorld, PUBLIC_URL } from '../../test/interop-world.ts';
import { pruneExpired } from '../jobs/housekeeping.ts';
import {
  PUBLIC_URL as JOBS_URL,
  recordingLogger,
  recordingMailer,
  recordingSms,
  recordingWebhooks,
} from '../jobs/test-support.ts';
import { createWorker } from '../jobs/worker.ts';
import { listAuditEvents } from '../store/audit.repository.ts';

/** The fields the tests read from a FHIR answer (a Bundle, an OperationOutcome or a resource). */
interface FhirBody {
  readonly resourceType: string;
  readonly id?: string;
  readonly type?: string;
  readonly total?: number;
  readonly entry?: Bundle['entry'];
  readonly link?: Bundle['link'];
  readonly issue: OperationOutcome['issue'];
}

describeEachDialect('FHIR R4 API', (ctx) => {
  let w: InteropWorld;
  beforeAll(async () => {
    w = await buildInteropWorld(ctx.db);
  }, 60_000);
  afterAll(async () => {
    await w.app.close();
  });

  async function get(url: string, token: string | null = w.demoToken) {
    const res = await w.app.inject({
      method: 'GET',
      url,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return {
      status: res.statusCode,
      type: res.headers['content-type'],
      headers: res.headers,
      body: res.json() as FhirBody,
    };
  }

  const patientId = (name: string): string => {
    const id = w.patients[name];
    if (id === undefined) throw new Error(`no demo patient ${name}`);
    return id;
  };

  it('answers metadata without a token: a CapabilityStatement in application/fhir+json', async () => {
    const res = await get('/fhir/R4/metadata', null);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/fhir\+json/);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(JSON.stringify(res.body)).toContain('"name":"export"');
  });

  it('refuses a read without a token, or with a wrong one, as a 401 OperationOutcome', async () => {
    for (const token of [null, 'not-a-real-token']) {
      const res = await get('/fhir/R4/Patient', token);
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^application\/fhir\+json/);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0]?.code).toBe('login');
    }
  });

  it('searches the clinic’s patients with paging links that lead through every page', async () => {
    const first = await get('/fhir/R4/Patient?_count=2');
    expect(first.status).toBe(200);
    expect(first.body.type).toBe('searchset');
    expect(first.body.total).toBe(5);
    expect(first.body.entry).toHaveLength(2);
    const seen = new Set<string>();
    let page: FhirBody | undefined = first.body;
    while (page !== undefined) {
      for (const e of page.entry ?? []) seen.add(e.resource?.id ?? '');
      const next: string | undefined = page.link?.find((l) => l.relation === 'next')?.url;
      page = next === undefined ? undefined : (await get(next.replace(PUBLIC_URL, ''))).body;
    }
    expect([...seen].sort()).toEqual(Object.values(w.patients).sort());
  });

  it('reads a patient of the clinic; another clinic’s token gets 404, not the patient', async () => {
    const id = patientId('Jordan Lee');
    const mine = await get(`/fhir/R4/Patient/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.resourceType).toBe('Patient');
    const foreign = await get(`/fhir/R4/Patient/${id}`, w.otherToken);
    expect(foreign.status).toBe(404);
    expect(foreign.body.resourceType).toBe('OperationOutcome');
    const search = await get(`/fhir/R4/Observation?patient=Patient/${id}`, w.otherToken);
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(0);
  });

  it('audits every read with the patient id', async () => {
    const id = patientId('Alex Morgan');
    await get(`/fhir/R4/Patient/${id}`);
    const events = await listAuditEvents(ctx.db, {
      clinicId: w.demoClinicId,
      subjectType: 'fhir',
      limit: 20,
    });
    const read = events.find((e) => e.action === 'fhir.read' && e.subjectId === `Patient/${id}`);
    expect(read?.details).toMatchObject({ patientId: id });
    expect(read?.actorType).toBe('api_token');
  });

  it('filters observations by patient and date; soreness carries LOINC 72514-3 and valueInteger', async () => {
    const id = patientId('Sam Okafor');
    const all = await get(`/fhir/R4/Observation?patient=${id}`);
    expect(all.status).toBe(200);
    const soreness = (all.body.entry ?? [])
      .map((e) => e.resource)
      .filter(
        (r): r is Resource & { resourceType: 'Observation' } => r?.resourceType === 'Observation',
      )
      .filter((o) => o.code.coding?.[0]?.code === '72514-3');
    expect(soreness.map((o) => o.valueInteger)).toEqual([4, 4]);
    const latest =
      soreness
        .map((o) => o.effectiveDateTime ?? '')
        .sort()
        .at(-1) ?? '';
    const later = await get(`/fhir/R4/Observation?patient=${id}&date=ge${latest}`);
    expect(
      (later.body.entry ?? []).every(
        (e) => ((e.resource as { effectiveDateTime?: string }).effectiveDateTime ?? '') >= latest,
      ),
    ).toBe(true);
    expect(later.body.total).toBeLessThan(all.body.total ?? 0);
  });

  it('filters by _lastUpdated', async () => {
    const none = await get('/fhir/R4/Procedure?_lastUpdated=gt2100-01-01');
    expect(none.body.total).toBe(0);
    const some = await get('/fhir/R4/Procedure?_lastUpdated=lt2100-01-01');
    expect(some.body.total).toBe(5);
  });

  it('refuses an unknown parameter or a bad date with a 400 OperationOutcome naming it', async () => {
    const unknown = await get('/fhir/R4/Observation?code=72514-3');
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0]?.expression).toEqual(['code']);
    const bad = await get('/fhir/R4/Observation?date=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0]?.expression).toEqual(['date']);
    const count = await get('/fhir/R4/Patient?_count=100000');
    expect(count.status).toBe(400);
  });

  it('Patient/$everything holds that patient’s resources only', async () => {
    const id = patientId('Jordan Lee');
    const res = await get(`/fhir/R4/Patient/${id}/$everything?_count=200`);
    expect(res.status).toBe(200);
    const resources = (res.body.entry ?? []).map((e) => e.resource as Resource);
    const types = new Set(resources.map((r) => r.resourceType));
    for (const t of [
      'Patient',
      'Procedure',
      'QuestionnaireResponse',
      'Observation',
      'RiskAssessment',
      'Provenance',
      'Flag',
      'Task',
    ])
      expect(types).toContain(t);
    const patients = resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id);
    expect(patients).toEqual([id]);
    const refs = JSON.stringify(resources).match(/Patient\/[0-9a-f-]{36}/g) ?? [];
    expect(new Set(refs)).toEqual(new Set([`Patient/${id}`]));
    const foreign = await get(`/fhir/R4/Patient/${id}/$everything`, w.otherToken);
    expect(foreign.status).toBe(404);
  });

  it('runs the bulk $export flow: kick-off 202, status manifest, NDJSON download, delete', async () => {
    const kick = await w.app.inject({
      method: 'GET',
      url: '/fhir/R4/$export?_type=Patient,Observation',
      headers: {
        authorization: `Bearer ${w.demoToken}`,
        prefer: 'respond-async',
        accept: 'application/fhir+json',
      },
    });
    expect(kick.statusCode).toBe(202);
    const status = String(kick.headers['content-location']);
    expect(status).toMatch(/\/fhir\/R4\/\$export-status\//);
    const path = status.replace(PUBLIC_URL, '');
    const manifest = await get(path);
    expect(manifest.status).toBe(200);
    const body = manifest.body as unknown as {
      requiresAccessToken: boolean;
      output: { type: string; url: string; count: number }[];
    };
    expect(body.requiresAccessToken).toBe(true);
    expect(body.output.map((o) => o.type).sort()).toEqual(['Observation', 'Patient']);
    const patients = body.output.find((o) => o.type === 'Patient');
    if (patients === undefined) throw new Error('no Patient file');
    const file = await w.app.inject({
      method: 'GET',
      url: patients.url.replace(PUBLIC_URL, ''),
      headers: { authorization: `Bearer ${w.demoToken}` },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
    const lines = file.body.trim().split('\n');
    expect(lines).toHaveLength(patients.count);
    expect(lines.every((l) => (JSON.parse(l) as Resource).resourceType === 'Patient')).toBe(true);
    expect((await get(path, w.otherToken)).status).toBe(404);
    const foreignFile = await w.app.inject({
      method: 'GET',
      url: patients.url.replace(PUBLIC_URL, ''),
      headers: { authorization: `Bearer ${w.otherToken}` },
    });
    expect(foreignFile.statusCode).toBe(404);
    const del = await w.app.inject({
      method: 'DELETE',
      url: path,
      headers: { authorization: `Bearer ${w.demoToken}` },
    });
    expect(del.statusCode).toBe(202);
    expect((await get(path)).status).toBe(404);
  });

  it('refuses an $export kick-off without Prefer: respond-async, or with an unknown type', async () => {
    const noPrefer = await get('/fhir/R4/$export');
    expect(noPrefer.status).toBe(400);
    const badType = await w.app.inject({
      method: 'GET',
      url: '/fhir/R4/$export?_type=Medication',
      headers: { authorization: `Bearer ${w.demoToken}`, prefer: 'respond-async' },
    });
    expect(badType.statusCode).toBe(400);
  });

  it('purges an expired bulk export in the worker’s housekeeping; its status and file URLs then answer 404', async () => {
    const kick = await w.app.inject({
      method: 'GET',
      url: '/fhir/R4/$export?_type=Patient',
      headers: { authorization: `Bearer ${w.demoToken}`, prefer: 'respond-async' },
    });
    expect(kick.statusCode).toBe(202);
    const path = String(kick.headers['content-location']).replace(PUBLIC_URL, '');
    const manifest = await get(path);
    expect(manifest.status).toBe(200);
    const expires = Date.parse(String(manifest.headers.expires));
    const fileUrl = (
      manifest.body as unknown as { output: { url: string }[] }
    ).output[0]?.url.replace(PUBLIC_URL, '');
    if (fileUrl === undefined) throw new Error('no file in the manifest');
    const exportId = path.split('/').pop() ?? '';
    const rows = async () => ({
      exports: (
        await ctx.db
          .withTables<{ fhir_exports: { id: string } }>()
          .selectFrom('fhir_exports')
          .select('id')
          .where('id', '=', exportId)
          .execute()
      ).length,
      files: (
        await ctx.db
          .withTables<{ fhir_export_files: { export_id: string } }>()
          .selectFrom('fhir_export_files')
          .select('export_id')
          .where('export_id', '=', exportId)
          .execute()
      ).length,
    });

    // Housekeeping before the expiry keeps it.
    expect((await pruneExpired(ctx.db, new Date(expires - 60_000))).fhirExports).toBe(0);
    expect(await rows()).toEqual({ exports: 1, files: 1 });

    const started = w.clock.now();
    try {
      w.clock.set(new Date(expires + 60_000));
      const worker = createWorker({
        db: ctx.db,
        clock: w.clock,
        logger: recordingLogger(),
        mailer: recordingMailer(),
        sms: recordingSms(),
        webhooks: recordingWebhooks(),
        workerId: 'export-purge',
        config: { publicUrl: JOBS_URL, retentionIntervalMs: Number.MAX_SAFE_INTEGER },
      });
      await worker.runOnce();
      expect(await rows()).toEqual({ exports: 0, files: 0 });

      const status = await get(path);
      expect(status.status).toBe(404);
      expect(status.type).toMatch(/^application\/fhir\+json/);
      expect(status.body.resourceType).toBe('OperationOutcome');
      const file = await w.app.inject({
        method: 'GET',
        url: fileUrl,
        headers: { authorization: `Bearer ${w.demoToken}` },
      });
      expect(file.statusCode).toBe(404);
      expect((file.json() as FhirBody).resourceType).toBe('OperationOutcome');
    } finally {
      w.clock.set(started);
    }
  });
});
