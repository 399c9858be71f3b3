import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { adminOf, NOBODY, serviceDeps } from '../../test/service-deps.ts';
import { seedClinic } from '../api/test-support.ts';
import { setPasswordWithLink } from '../services/set-password.ts';
import { createStaff } from '../services/staff.ts';
import { productUrls } from '../services/urls.ts';
import { insertAlert } from '../store/alerts.repository.ts';
import { updateClinicSettings } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import { updateStaffUser } from '../store/staff.repository.ts';
import { enqueueAlertDelivery } from './alerts.ts';
import { createSmtpMailer, type Mailer } from './mailer.ts';
import { enqueuePasswordLinkEmail } from './staff-mail.ts';
import {
  decodeHeader,
  PUBLIC_URL,
  parseMail,
  recordingLogger,
  recordingSms,
  recordingWebhooks,
  seedSessionWithReminders,
  testClock,
} from './test-support.ts';
import { createWorker, type Worker } from './worker.ts';

interface Received {
  readonly to: string[];
  readonly raw: string;
}

/** Words that would leak clinical detail into a patient message. */
const CLINICAL = [
  /pector/i,
  /glute/i,
  /muscle/i,
  /m[uú]sculo/i,
  /symptom/i,
  /s[ií]ntoma/i,
  /soreness/i,
  /dolor/i,
  /self[_ ]care/i,
  /urgent/i,
  /pneumo/i,
  /neumo/i,
  /chest/i,
  /t[oó]rax/i,
];

async function drain(worker: Worker): Promise<void> {
  for (let i = 0; i < 50; i += 1) if ((await worker.runOnce()).claimed === 0) return;
}

describeEachDialect('jobs: e-mail through a real SMTP conversation', (ctx) => {
  const received: Received[] = [];
  let server: SMTPServer;
  let mailer: Mailer;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      from: 'Needlecare <no-reply@care.example.test>',
    });
  });
  afterAll(async () => {
    mailer.close?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(async () => {
    received.length = 0;
    await ctx.db.deleteFrom('outbox').execute();
  });

  function worker(clock: ReturnType<typeof testClock>): Worker {
    return createWorker({
      db: ctx.db,
      clock,
      logger: recordingLogger(),
      mailer,
      sms: recordingSms(),
      webhooks: recordingWebhooks(),
      workerId: 'smtp-test',
      config: { publicUrl: PUBLIC_URL },
    });
  }

  it('delivers an invitation with its single-use link, in the language asked, then blanks it', async () => {
    const clinic = await seedClinic(ctx.db, 'Invite Physio');
    const deps = {
      ...serviceDeps(ctx.db, { publicUrl: PUBLIC_URL }),
      events: { passwordLinkIssued: enqueuePasswordLinkEmail },
    };
    const user = await createStaff(deps, adminOf(clinic), {
      email: 'marta@example.test',
      displayName: 'Marta',
      language: 'es',
    });
    await drain(worker(testClock(deps.clock.now())));
    const mails = received.filter((r) => r.to.includes('marta@example.test'));
    expect(mails).toHaveLength(1);
    const m = parseMail(mails[0]?.raw ?? '');
    expect(decodeHeader(m.headers.get('subject') ?? '')).toBe(
      'Invite Physio le invita a Needlecare',
    );
    expect(m.headers.get('content-language')).toBe('es');
    const url = /https:\/\/care\.example\.test\/set-password\/\S+/.exec(m.text)?.[0] ?? '';
    expect(url).not.toBe('');
    expect(m.text).not.toMatch(/contraseña:\s*\S{12,}/);
    // Once sent, the row keeps neither the address nor the link.
    const row = await ctx.db
      .selectFrom('outbox')
      .select(['payload_json', 'status'])
      .where('kind', '=', 'invite.email')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.payload_json).not.toContain('marta@example.test');
    expect(row.payload_json).not.toContain(url);
    const token = decodeURIComponent(url.split('/set-password/')[1] ?? '');
    const done = await setPasswordWithLink(deps, NOBODY, {
      token,
      password: 'una tarde tranquila junto al río',
    });
    expect(done.id).toBe(user.id);
  });

  it('delivers reminders with the link and a stop link, no clinical detail, in the patient language', async () => {
    // Wednesday 25 Nov 2026, 11:00 in Madrid: the +4 h reminder is due at 15:00 local.
    const performedAt = '2026-11-25T10:00:00.000Z';
    const en = await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: false,
      email: 'ana@example.test',
    });
    const es = await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: true,
      language: 'es',
      email: 'luis@example.test',
    });
    const clock = testClock('2026-11-25T14:00:00.000Z');
    await drain(worker(clock));

    // Thoracic plan: 2 h and 6 h are early; at +4 h the Spanish patient has had the 2 h one.
    const toAna = received.filter((r) => r.to.includes('ana@example.test'));
    const toLuis = received.filter((r) => r.to.includes('luis@example.test'));
    expect(toAna).toHaveLength(1);
    expect(toLuis).toHaveLength(1);

    const a = parseMail(toAna[0]?.raw ?? '');
    expect(decodeHeader(a.headers.get('subject') ?? '')).toBe(
      'Harbour Physio: time for your check-in',
    );
    expect(a.text).toContain(en.linkUrl);
    expect(a.text).toContain(`${en.linkUrl}/stop`);
    expect(a.text).toContain('112');
    expect(a.headers.get('list-unsubscribe')).toBe(`<${en.linkUrl}/stop>`);
    expect(a.headers.get('message-id')).toMatch(/^<[0-9a-f]{40}@care\.example\.test>$/);
    expect(a.headers.get('x-needlecare-dedupe-key')).toBe(`reminder:${en.session.id}:4:email`);
    for (const word of CLINICAL) expect(`${a.headers.get('subject')}\n${a.text}`).not.toMatch(word);

    const l = parseMail(toLuis[0]?.raw ?? '');
    expect(decodeHeader(l.headers.get('subject') ?? '')).toBe(
      'Harbour Physio: es la hora de su seguimiento',
    );
    expect(l.headers.get('content-language')).toBe('es');
    expect(l.text).toContain('Hola');
    expect(l.text).toContain('llame ahora al 112');
    expect(l.text).toContain(es.linkUrl);
    expect(l.text).toContain(`${es.linkUrl}/stop`);
    for (const word of CLINICAL) expect(l.text).not.toMatch(word);

    // Delivered rows no longer hold the address or the link.
    const rows = await ctx.db
      .selectFrom('outbox')
      .select(['payload_json', 'status'])
      .where('status', '=', 'sent')
      .where('kind', 'in', ['reminder.email', 'alert.email'])
      .execute();
    // Two reminders, and the alert e-mail for Luis's unanswered 2 h check-in (missed at 3.5 h).
    expect(rows.length).toBe(3);
    for (const row of rows) {
      expect(row.payload_json).not.toContain('@example.test');
      expect(row.payload_json).not.toContain('/p/');
    }
  });

  it('e-mails the practitioner an alert with severity and dashboard link, without the patient name in the subject', async () => {
    const performedAt = '2026-11-25T10:00:00.000Z';
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt,
      thoracic: true,
      email: null,
      practitionerEmail: 'dana@clinic.test',
    });
    const createdAt = '2026-11-25T11:00:00.000Z';
    const dashboardUrl = productUrls(PUBLIC_URL).dashboardAlert('a1');
    await withTransaction(ctx.db, async (trx) => {
      const alert = await insertAlert(trx, {
        clinicId: s.clinic.id,
        sessionId: s.session.id,
        patientId: s.patient.id,
        assessmentId: null,
        severity: 'emergency',
        createdAt,
      });
      await enqueueAlertDelivery(trx, {
        clinic: s.clinic,
        alert,
        patient: s.patient,
        session: s.session,
        practitioner: s.practitioner,
        dashboardUrl,
      });
    });
    await drain(worker(testClock(createdAt)));
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['dana@clinic.test']);
    const m = parseMail(received[0]?.raw ?? '');
    const subject = decodeHeader(m.headers.get('subject') ?? '');
    expect(subject).toContain('EMERGENCY');
    expect(subject).not.toMatch(/Rosa|Quintana/);
    expect(m.text).not.toMatch(/Rosa|Quintana/);
    expect(m.text).toContain(dashboardUrl);
    expect(m.text).toContain('12:00'); // raised at 12:00 clinic time
  });

  /**
   * An emergency alert's e-mail as the SMTP server got it: to the practitioner (with `staffLanguage`
   * as their own language) or, with `practitioner: false`, to the clinic's alert address.
   */
  async function alertMail(options: {
    readonly clinicLanguage: 'en' | 'es';
    readonly staffLanguage?: 'en' | 'es' | null;
    readonly practitioner?: boolean;
  }): Promise<{ to: string[]; mail: ReturnType<typeof parseMail>; subject: string }> {
    received.length = 0;
    const s = await seedSessionWithReminders(ctx.db, {
      performedAt: '2026-11-25T10:00:00.000Z',
      thoracic: true,
      email: 'rosa@example.test',
      phone: '+34 600 123 456',
      clinic: {
        defaultLanguage: options.clinicLanguage,
        languages: ['en', 'es'],
        escalation: { alertEmail: 'recepcion@clinic.test' },
      },
    });
    if (options.staffLanguage !== undefined)
      await updateStaffUser(ctx.db, s.clinic.id, s.practitioner.id, {
        language: options.staffLanguage,
      });
    const createdAt = '2026-11-25T11:00:00.000Z';
    await withTransaction(ctx.db, async (trx) => {
      const alert = await insertAlert(trx, {
        clinicId: s.clinic.id,
        sessionId: s.session.id,
        patientId: s.patient.id,
        assessmentId: null,
        severity: 'emergency',
        createdAt,
      });
      await enqueueAlertDelivery(trx, {
        clinic: s.clinic,
        alert,
        session: s.session,
        practitioner: options.practitioner === false ? null : s.practitioner,
        dashboardUrl: productUrls(PUBLIC_URL).dashboardAlert(alert.id),
      });
    });
    await drain(worker(testClock(createdAt)));
    const mails = received.filter((r) => r.to.some((to) => to !== 'rosa@example.test'));
    expect(mails).toHaveLength(1);
    const mail = parseMail(mails[0]?.raw ?? '');
    return {
      to: mails[0]?.to ?? [],
      mail,
      subject: decodeHeader(mail.headers.get('subject') ?? ''),
    };
  }

  it("sends an alert e-mail in the practitioner's own language, else the clinic's default (decision 0501)", async () => {
    // A Spanish clinic, the practitioner with no language of their own: Spanish.
    const clinicEs = await alertMail({ clinicLanguage: 'es' });
    expect(clinicEs.subject).toBe(
      '[Needlecare] Aviso de EMERGENCIA por el seguimiento de un paciente',
    );
    expect(clinicEs.mail.headers.get('content-language')).toBe('es');
    expect(clinicEs.mail.text).toContain('Cómo contactar con el paciente:');
    expect(clinicEs.mail.text).toContain('Teléfono: +34 600 123 456 (tel:+34600123456)');
    expect(clinicEs.mail.html).toContain('<html lang="es">');
    expect(`${clinicEs.subject}${clinicEs.mail.text}`).not.toMatch(/Rosa|Quintana/);

    // The practitioner reads English in the same Spanish clinic: English.
    const ownEn = await alertMail({ clinicLanguage: 'es', staffLanguage: 'en' });
    expect(ownEn.subject).toBe('[Needlecare] EMERGENCY alert from a patient check-in');
    expect(ownEn.mail.headers.get('content-language')).toBe('en');
    expect(ownEn.mail.text).toContain('How to reach the patient:');

    // The practitioner reads Spanish in an English clinic: Spanish.
    const ownEs = await alertMail({ clinicLanguage: 'en', staffLanguage: 'es' });
    expect(ownEs.subject).toContain('Aviso de EMERGENCIA');
    expect(ownEs.mail.headers.get('content-language')).toBe('es');

    // No practitioner: the clinic's alert address, in the clinic's language.
    const desk = await alertMail({ clinicLanguage: 'es', practitioner: false });
    expect(desk.to).toEqual(['recepcion@clinic.test']);
    expect(desk.subject).toContain('Aviso de EMERGENCIA');
    expect(desk.mail.headers.get('content-language')).toBe('es');
  });
});

describeEachDialect(
  'jobs: the patient contact in an alert e-mail, over SMTP (decision 1221)',
  (ctx) => {
    const received: Received[] = [];
    let server: SMTPServer;
    let mailer: Mailer;

    beforeAll(async () => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.server.address() as AddressInfo;
      mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'nc@care.example.test' });
    });
    afterAll(async () => {
      mailer.close?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    async function emergencyMail(contactOn: boolean): Promise<ReturnType<typeof parseMail>> {
      received.length = 0;
      await ctx.db.deleteFrom('outbox').execute();
      const s = await seedSessionWithReminders(ctx.db, {
        performedAt: '2026-11-25T10:00:00.000Z',
        thoracic: true,
        email: 'rosa@example.test',
        phone: '+34 600 123 456',
        practitionerEmail: `dana-${contactOn ? 'on' : 'off'}@clinic.test`,
      });
      if (!contactOn)
        await updateClinicSettings(ctx.db, s.clinic.id, { patientContactInAlerts: false });
      const createdAt = '2026-11-25T11:00:00.000Z';
      await withTransaction(ctx.db, async (trx) => {
        const alert = await insertAlert(trx, {
          clinicId: s.clinic.id,
          sessionId: s.session.id,
          patientId: s.patient.id,
          assessmentId: null,
          severity: 'emergency',
          createdAt,
        });
        await enqueueAlertDelivery(trx, {
          clinic: { ...s.clinic, patientContactInAlerts: contactOn },
          alert,
          session: s.session,
          practitioner: s.practitioner,
          dashboardUrl: productUrls(PUBLIC_URL).dashboardAlert(alert.id),
        });
      });
      const w = createWorker({
        db: ctx.db,
        clock: testClock(createdAt),
        logger: recordingLogger(),
        mailer,
        sms: recordingSms(),
        webhooks: recordingWebhooks(),
        workerId: 'smtp-contact',
        config: { publicUrl: PUBLIC_URL },
      });
      await drain(w);
      const mails = received.filter((r) => r.to.includes(s.practitioner.email));
      expect(mails).toHaveLength(1);
      return parseMail(mails[0]?.raw ?? '');
    }

    it("an emergency e-mail carries the patient's phone as a tel: link and the e-mail; switched off, neither", async () => {
      const on = await emergencyMail(true);
      expect(on.text).toContain('Phone: +34 600 123 456 (tel:+34600123456)');
      expect(on.text).toContain('E-mail: rosa@example.test');
      expect(on.html).toContain('<a href="tel:+34600123456">+34 600 123 456</a>');
      expect(on.html).toContain('href="mailto:rosa@example.test"');
      expect(decodeHeader(on.headers.get('subject') ?? '')).not.toMatch(/Rosa|600|rosa@/);
      expect(`${on.text}${on.html}`).not.toMatch(/Rosa|Quintana/);

      const off = await emergencyMail(false);
      expect(off.html).toBeUndefined();
      expect(off.text).not.toMatch(/600 123 456|tel:|rosa@example/);
      expect(off.text).toContain('This e-mail holds no patient details');
    });
  },
);

describe('smtp mailer', () => {
  it('fails (for a retry) when nothing listens', async () => {
    const mailer = createSmtpMailer({
      url: 'smtp://127.0.0.1:1',
      from: 'x@y.test',
      timeoutMs: 2000,
    });
    await expect(
      mailer.send({
        to: 'a@b.test',
        subject: 's',
        text: 't',
        messageId: '<m@x>',
        headers: {},
        language: 'en',
      }),
    ).rejects.toThrow();
    mailer.close?.();
  });
});
