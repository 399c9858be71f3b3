/**
 * Helpers for the jobs' tests (never imported by production code): seeded clinics and
 * sessions, a settable clock, recording senders, and a tiny MIME reader for what the test SMTP
 * server received.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type CheckInPlan, planCheckIns } from '../clinical/checkin-plan.ts';
import type { Locale } from '../clinical/types.ts';
import { productUrls } from '../services/urls.ts';
import { type Clinic, insertClinic, type NewClinic } from '../store/clinics.repository.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { insertPatientLink } from '../store/links.repository.ts';
import { insertPatient, type Patient } from '../store/patients.repository.ts';
import { insertNeedlingSession, type NeedlingSession } from '../store/sessions.repository.ts';
import { insertStaffUser, type StaffUser } from '../store/staff.repository.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import { enqueueSessionReminders } from './reminders.ts';
import type { SmsMessage, SmsSender } from './sms-gateway.ts';
import type { WebhookDelivery, WebhookSender } from './webhooks.ts';
import type { Clock, JobsLogger } from './worker.ts';

export const PUBLIC_URL = 'https://care.example.test';

export interface TestClock extends Clock {
  set(instant: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (instant) => {
      t = new Date(instant).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface LogRecord {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

export function recordingLogger(): JobsLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    records.push({ level, obj, msg });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
    },
  };
}

export function recordingSms(): SmsSender & { sent: SmsMessage[] } {
  const sent: SmsMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
    },
  };
}

export function recordingWebhooks(): WebhookSender & { sent: WebhookDelivery[] } {
  const sent: WebhookDelivery[] = [];
  return {
    sent,
    async deliver(delivery) {
      sent.push(delivery);
    },
  };
}

export interface SeedOptions {
  readonly clinic?: Partial<NewClinic>;
  readonly performedAt: string;
  /** When the session was recorded (default: when it was performed). */
  readonly recordedAt?: string;
  readonly thoracic: boolean;
  readonly language?: Locale;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly practitionerEmail?: string;
}

export interface Seeded {
  readonly clinic: Clinic;
  readonly practitioner: StaffUser;
  readonly patient: Patient;
  readonly session: NeedlingSession;
  readonly plan: CheckInPlan;
  readonly token: string;
  readonly linkUrl: string;
}

const THORACIC_SITES = [{ muscle: 'pectoralis-major', side: 'left' as const }];
const OTHER_SITES = [{ muscle: 'gluteus-medius', side: 'right' as const }];

/** A clinic, practitioner, patient and session with its link, and its reminders queued. */
export async function seedSessionWithReminders(db: Db, options: SeedOptions): Promise<Seeded> {
  const createdAt = options.recordedAt ?? options.performedAt;
  const clinic = await insertClinic(db, {
    name: 'Harbour Physio',
    timeZone: 'Europe/Madrid',
    emergencyNumber: '112',
    contactPhone: '+34 910 000 000',
    createdAt,
    ...options.clinic,
  });
  const practitioner = await insertStaffUser(db, {
    clinicId: clinic.id,
    email: options.practitionerEmail ?? `pract-${randomBytes(4).toString('hex')}@clinic.test`,
    displayName: 'Dana Practitioner',
    role: 'practitioner',
    passwordHash: 'argon2id$fake',
    createdAt,
  });
  const patient = await insertPatient(db, {
    clinicId: clinic.id,
    displayName: 'Rosa Quintana',
    email: options.email === undefined ? 'rosa@example.test' : options.email,
    phone: options.phone === undefined ? null : options.phone,
    language: options.language ?? 'en',
    createdAt,
  });
  const sites = options.thoracic ? THORACIC_SITES : OTHER_SITES;
  const plan = planCheckIns(
    { performedAt: options.performedAt, sites },
    { planHours: clinic.checkInPlanHours, thoracicPlanHours: clinic.thoracicPlanHours },
  );
  const token = randomBytes(32).toString('base64url');
  const linkUrl = productUrls(PUBLIC_URL).patientPage(token);
  const session = await withTransaction(db, async (trx) => {
    const s = await insertNeedlingSession(trx, {
      clinicId: clinic.id,
      patientId: patient.id,
      practitionerId: practitioner.id,
      performedAt: options.performedAt,
      thoracic: plan.thoracic,
      bilateralThoracic: false,
      createdAt,
      sites,
    });
    const link = await insertPatientLink(trx, {
      sessionId: s.id,
      clinicId: clinic.id,
      tokenHash: createHash('sha256').update(token, 'utf8').digest('hex'),
      createdAt,
      expiresAt: new Date(Date.parse(createdAt) + 14 * 86_400_000),
    });
    await enqueueSessionReminders(trx, {
      clinic,
      session: s,
      patient,
      link: { url: linkUrl, id: link.id },
      plan,
    });
    return s;
  });
  return { clinic, practitioner, patient, session, plan, token, linkUrl };
}

/**
 * Unfold a raw RFC 5322 message into lower-cased headers and a decoded text body; for a
 * multipart/alternative message, `text` is the text/plain part and `html` the text/html part.
 */
export function parseMail(raw: string): {
  headers: Map<string, string>;
  text: string;
  html?: string;
} {
  const whole = parsePart(raw);
  const type = whole.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || boundary === undefined) return whole;
  const parts = whole.text
    .split(`--${boundary}`)
    .slice(1)
    .filter((part) => !part.startsWith('--'))
    .map((part) => parsePart(part.replace(/^\n/, '').replace(/\n/g, '\r\n')));
  const of = (t: string) =>
    parts.find((part) => (part.headers.get('content-type') ?? '').toLowerCase().startsWith(t));
  const html = of('text/html')?.text;
  return {
    headers: whole.headers,
    text: of('text/plain')?.text ?? '',
    ...(html === undefined ? {} : { html }),
  };
}

function parsePart(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text: string;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  else if (encoding === 'base64')
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else text = body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Decode RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      return decodeQuotedPrintable(data.replace(/_/g, ' '));
    });
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Status to answer the n-th (0-based) request with. */
  respond: (n: number, req: ReceivedRequest) => number;
  close(): Promise<void>;
}

/** A local `node:http` receiver on 127.0.0.1, recording every request. */
export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const { createServer } = await import('node:http');
  const requests: ReceivedRequest[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    respond: () => 200,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const status = receiver.respond(requests.length, record);
      requests.push(record);
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(status < 300 ? '{"ok":true}' : '{"error":"nope"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
