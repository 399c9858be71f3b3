import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import {
  adminOf,
  practitionerOf,
  serviceDeps,
  type TestDeps,
  tokenOf,
} from '../../test/service-deps.ts';
import { auditActions, type SeededClinic, seedClinic, T0 } from '../api/test-support.ts';
import { insertAlert } from '../store/alerts.repository.ts';
import { verifyAuditChain } from '../store/audit.repository.ts';
import { insertCheckIn } from '../store/checkins.repository.ts';
import { updateClinicSettings } from '../store/clinics.repository.ts';
import { insertPatientLink } from '../store/links.repository.ts';
import { enqueueOutbox } from '../store/outbox.repository.ts';
import { findPatient, insertPatient } from '../store/patients.repository.ts';
import { insertNeedlingSession } from '../store/sessions.repository.ts';
import { AppError } from './errors.ts';
import {
  applyRetention,
  editPatient,
  erasePatient,
  exportPatient,
  findPossibleDuplicates,
  listPatients,
  readPatientContacts,
  revokeOnePatientLink,
} from './patient-records.ts';

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

/** A patient with one session, a check-in with a note, a link, an alert and two reminders. */
async function seedRecord(deps: TestDeps, c: SeededClinic, name: string, performedAt = T0) {
  const { db } = deps;
  const patient = await insertPatient(db, {
    clinicId: c.clinicId,
    displayName: name,
    email: 'lucia@example.test',
    phone: '+34 600 111 222',
    language: 'es',
    createdAt: performedAt,
  });
  const session = await insertNeedlingSession(db, {
    clinicId: c.clinicId,
    patientId: patient.id,
    practitionerId: c.practitionerId,
    performedAt,
    thoracic: false,
    bilateralThoracic: false,
    notes: `${name} lives at 3 Calle Mayor`,
    createdAt: performedAt,
    sites: [{ muscle: 'tibialis-anterior', side: 'right' }],
  });
  await insertCheckIn(db, {
    sessionId: session.id,
    clinicId: c.clinicId,
    receivedAt: performedAt,
    hoursAfter: 4,
    soreness: 7,
    symptoms: ['spreading_redness'],
    note: `${name}: my husband Juan says it looks red`,
    source: 'patient',
  });
  await insertAlert(db, {
    clinicId: c.clinicId,
    sessionId: session.id,
    patientId: patient.id,
    assessmentId: null,
    severity: 'routine',
    createdAt: performedAt,
  });
  const link = await insertPatientLink(db, {
    sessionId: session.id,
    clinicId: c.clinicId,
    tokenHash: `hash-${patient.id}`,
    createdAt: performedAt,
    expiresAt: '2027-12-01T00:00:00.000Z',
  });
  for (const hours of [4, 24]) {
    await enqueueOutbox(db, {
      clinicId: c.clinicId,
      kind: 'reminder.email',
      dedupeKey: `r-${session.id}-${hours}`,
      payload: {
        sessionId: session.id,
        to: 'lucia@example.test',
        linkUrl: `https://x.test/p/SECRET-TOKEN?${name}`,
        hoursAfter: hours,
      },
      dueAt: performedAt,
      createdAt: performedAt,
    });
  }
  const sent = await deps.db
    .selectFrom('outbox')
    .select('id')
    .where('dedupe_key', '=', `r-${session.id}-4`)
    .executeTakeFirstOrThrow();
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: new Date(performedAt).toISOString() })
    .where('id', '=', sent.id)
    .execute();
  return { patient, session, link };
}

describeEachDialect('patient records', (ctx) => {
  let deps: TestDeps;
  let c: SeededClinic;
  beforeAll(async () => {
    deps = serviceDeps(ctx.db, {}, '2026-12-01T10:00:00.000Z');
    c = await seedClinic(ctx.db, 'Records');
  });

  it('lists newest first in pages and finds "Lucía" by "lucia", audited', async () => {
    const other = await seedClinic(ctx.db, 'Elsewhere');
    const names = ['Lucía Peña', 'Bob Brown', 'Carla Díaz'];
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      const p = await insertPatient(ctx.db, {
        clinicId: c.clinicId,
        displayName: name,
        language: 'en',
        createdAt: `2026-11-0${i + 1}T10:00:00.000Z`,
      });
      ids.push(p.id);
    }
    await insertPatient(ctx.db, {
      clinicId: other.clinicId,
      displayName: 'Lucia Foreign',
      language: 'en',
      createdAt: T0,
    });
    const found = await listPatients(deps, practitionerOf(c), { q: 'LUCIA' });
    expect(found.items.map((p) => p.displayName)).toEqual(['Lucía Peña']);
    const first = await listPatients(deps, tokenOf(c), { limit: 2 });
    expect(first.items.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listPatients(deps, tokenOf(c), {
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    expect(second.items.map((p) => p.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await refusal(listPatients(deps, tokenOf(c), { cursor: 'garbage' }))).code).toBe(
      'validation_failed',
    );
    const [audit] = await auditActions(ctx.db, 'patient.search');
    expect(audit?.details).toContain(ids[0]);
  });

  it('warns of a likely duplicate by name and phone or e-mail, accents aside', async () => {
    const p = await insertPatient(ctx.db, {
      clinicId: c.clinicId,
      displayName: 'José Álvarez',
      phone: '+34 611 222 333',
      language: 'es',
      createdAt: T0,
    });
    const actor = practitionerOf(c);
    const dupes = await findPossibleDuplicates(deps, actor, {
      displayName: 'jose alvarez',
      phone: '+34611222333',
    });
    expect(dupes.map((d) => d.id)).toEqual([p.id]);
    expect(
      await findPossibleDuplicates(deps, actor, {
        displayName: 'José Álvarez',
        phone: '+34 699 000 000',
      }),
    ).toEqual([]);
    expect(await findPossibleDuplicates(deps, actor, { displayName: 'José Álvarez' })).toEqual([]);
  });

  it('edits name, contacts and language; bad input names the field and changes nothing', async () => {
    const { patient } = await seedRecord(deps, c, 'Edit Me');
    const actor = practitionerOf(c);
    const bad = await refusal(
      editPatient(deps, actor, {
        patientId: patient.id,
        displayName: ' ',
        email: 'nope',
        language: 'xx',
      }),
    );
    expect(bad.code).toBe('validation_failed');
    expect(bad.errors?.map((e) => e.field)).toEqual(['displayName', 'email', 'language']);
    expect(await findPatient(ctx.db, c.clinicId, patient.id)).toEqual(patient);
    const edited = await editPatient(deps, actor, {
      patientId: patient.id,
      displayName: 'Edited Ñame',
      email: '',
      phone: '+34 600 999 888',
      language: 'en',
    });
    expect(edited).toMatchObject({ displayName: 'Edited Ñame', email: null, language: 'en' });
    expect((await listPatients(deps, actor, { q: 'edited name' })).items.map((p) => p.id)).toEqual([
      patient.id,
    ]);
    const [audit] = await auditActions(ctx.db, 'patient.update');
    expect(JSON.parse(audit?.details ?? '{}').fields).toEqual([
      'displayName',
      'email',
      'phone',
      'language',
    ]);
    const foreign = await seedClinic(ctx.db, 'Foreign');
    expect(
      (
        await refusal(
          editPatient(deps, practitionerOf(foreign), {
            patientId: patient.id,
            displayName: 'x',
            language: 'en',
          }),
        )
      ).code,
    ).toBe('not_found');
  });

  it('shows link states and messages without tokens; revokes one link', async () => {
    const { patient, link } = await seedRecord(deps, c, 'Links Person');
    const actor = practitionerOf(c);
    const before = await readPatientContacts(deps, actor, { patientId: patient.id });
    expect(before.links.map((l) => [l.id, l.state])).toEqual([[link.id, 'active']]);
    expect(before.messages.map((m) => m.status).sort()).toEqual(['pending', 'sent']);
    expect(JSON.stringify(before)).not.toContain('SECRET-TOKEN');
    expect(JSON.stringify(before)).not.toContain('hash-');
    await revokeOnePatientLink(deps, actor, { patientId: patient.id, linkId: link.id });
    const after = await readPatientContacts(deps, actor, { patientId: patient.id });
    expect(after.links[0]?.state).toBe('revoked');
    expect(
      (await refusal(revokeOnePatientLink(deps, actor, { patientId: patient.id, linkId: link.id })))
        .code,
    ).toBe('conflict');
    expect(
      (await refusal(revokeOnePatientLink(deps, actor, { patientId: patient.id, linkId: 'nope' })))
        .code,
    ).toBe('not_found');
  });

  it('exports the whole record, audited', async () => {
    const { patient } = await seedRecord(deps, c, 'Export Person');
    const out = await exportPatient(deps, tokenOf(c), { patientId: patient.id });
    expect(out.patient.id).toBe(patient.id);
    expect(out.sessions).toHaveLength(1);
    expect(JSON.stringify(out)).toContain('my husband Juan');
    expect(JSON.stringify(out)).not.toContain('SECRET-TOKEN');
    expect((await auditActions(ctx.db, 'patient.export'))[0]?.subjectId).toBe(patient.id);
  });

  it('erases personal data for an admin who types the name; the chain still verifies', async () => {
    const { patient } = await seedRecord(deps, c, 'Lucía Erase');
    await exportPatient(deps, tokenOf(c), { patientId: patient.id });
    expect(
      (
        await refusal(
          erasePatient(deps, practitionerOf(c), {
            patientId: patient.id,
            confirmName: 'Lucía Erase',
          }),
        )
      ).code,
    ).toBe('forbidden');
    const wrong = await refusal(
      erasePatient(deps, adminOf(c), { patientId: patient.id, confirmName: 'Lucia' }),
    );
    expect(wrong.errors?.[0]?.field).toBe('confirmName');
    expect((await findPatient(ctx.db, c.clinicId, patient.id))?.erasedAt).toBeNull();
    const counts = await erasePatient(deps, adminOf(c), {
      patientId: patient.id,
      confirmName: 'lucia erase',
    });
    expect(counts).toMatchObject({
      sessions: 1,
      checkIns: 1,
      alerts: 1,
      linksRevoked: 1,
      messagesCancelled: 1,
      messagesRedacted: 1,
    });
    const after = await findPatient(ctx.db, c.clinicId, patient.id);
    expect(after).toMatchObject({ email: null, phone: null });
    expect(after?.erasedAt).not.toBeNull();
    const dump = JSON.stringify(
      await Promise.all(
        (
          [
            'patients',
            'needling_sessions',
            'check_ins',
            'alerts',
            'outbox',
            'audit_events',
            'idempotency_keys',
          ] as const
        ).map((t) => ctx.db.selectFrom(t).selectAll().execute()),
      ),
    );
    // Every free-text field and contact route of the seed carries the name.
    expect(dump.includes('Lucía Erase')).toBe(false);
    expect(dump.includes('lucia@example.test')).toBe(true); // other patients keep theirs
    // The clinical counts stay: the session, check-in and alert rows still exist.
    const checkIns = await ctx.db
      .selectFrom('check_ins')
      .select(['soreness'])
      .where('soreness', '=', 7)
      .execute();
    expect(checkIns.length).toBeGreaterThan(0);
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
    const [audit] = await auditActions(ctx.db, 'patient.erase');
    expect(audit).toMatchObject({ subjectId: patient.id, actorId: c.adminId });
    expect(JSON.parse(audit?.details ?? '{}').reason).toBe('request');
    expect(
      (await refusal(erasePatient(deps, adminOf(c), { patientId: patient.id, confirmName: '—' })))
        .code,
    ).toBe('conflict');
  });

  it('retention erases patients whose last session is older than the clinic setting', async () => {
    const r = await seedClinic(ctx.db, 'Retention');
    await updateClinicSettings(ctx.db, r.clinicId, { retentionYears: 2 });
    const old = await seedRecord(deps, r, 'Old Patient', '2024-11-01T10:00:00.000Z');
    const recent = await seedRecord(deps, r, 'Recent Patient', '2025-01-01T10:00:00.000Z');
    const report = await applyRetention(deps, 'worker:test');
    expect(report.byClinic[r.clinicId]).toBe(1);
    expect((await findPatient(ctx.db, r.clinicId, old.patient.id))?.erasedAt).not.toBeNull();
    expect((await findPatient(ctx.db, r.clinicId, recent.patient.id))?.erasedAt).toBeNull();
    const [run] = await auditActions(ctx.db, 'retention.run');
    expect(JSON.parse(run?.details ?? '{}')).toMatchObject({ erased: 1, retentionYears: 2 });
    expect((await applyRetention(deps, 'worker:test')).byClinic[r.clinicId]).toBeUndefined();
    expect((await verifyAuditChain(ctx.db)).ok).toBe(true);
  });
});
