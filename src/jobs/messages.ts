/**
 * Message texts, in English and Spanish. Patient messages carry the link, the stop link and the
 * clinic's numbers — never anything clinical (no symptoms, results, dispositions or muscles),
 * since e-mail and SMS are read on lock screens and shared devices. Staff messages carry the
 * severity and a dashboard link, and never the patient's name; an alert that asks staff to call
 * the patient also carries how to reach them, unless the clinic switched it off (decision 1221).
 */

import { formatInstant } from '../clinical/time-zone.ts';
import type { Locale } from '../clinical/types.ts';
import { type Catalogue, intlTag, type MessageValues, translate } from '../i18n/catalogue.ts';
import type { AlertSeverity } from '../store/alerts.repository.ts';
import type { AlertMessagePayload, PasswordLinkPayload, ReminderPayload } from './payloads.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  /** An HTML alternative, where a link must be a link (the patient's phone as `tel:`). */
  readonly html?: string;
}

/**
 * How to reach the patient, as an alert e-mail gives it (decision 1221): both null is "no
 * contact given", said plainly. Absent from the render when the clinic switched it off.
 */
export interface AlertPatientContact {
  readonly phone: string | null;
  readonly email: string | null;
}

/** `tel:` URI of a phone as typed: digits and a leading plus only. */
export function telUri(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * The words of a staff alert message (e-mail and SMS) in each language: the practitioner's own,
 * or the clinic's default for its alert address and escalation contacts (decision 0501).
 */
interface AlertWords {
  /** The alert by severity, as a subject or an SMS opens with it. */
  readonly name: Readonly<Record<AlertSeverity, string>>;
  /** The same inside a sentence. */
  readonly inSentence: Readonly<Record<AlertSeverity, string>>;
  /** What the patient was told to do, by severity. */
  readonly ask: Readonly<Record<AlertSeverity, string>>;
  readonly subject: {
    readonly checkIn: (name: string, raised: boolean) => string;
    readonly escalation: (name: string) => string;
    readonly missed: (name: string) => string;
  };
  readonly checkIn: (clinic: string, alert: string) => string;
  readonly escalation: (clinic: string, alert: string, minutes: number) => [string, string];
  readonly missed: (clinic: string) => [string, string];
  readonly raisedAt: (when: string) => string;
  readonly open: (url: string) => string;
  readonly noDetails: string;
  readonly signIn: string;
  readonly reach: string;
  readonly noContact: string;
  readonly phone: string;
  readonly email: string;
  readonly noneGiven: string;
  readonly sms: (name: string, clinic: string, url: string) => string;
  readonly smsEscalation: (name: string, clinic: string, minutes: number, url: string) => string;
}

const ALERT_WORDS: Readonly<Record<Locale, AlertWords>> = {
  en: {
    name: { emergency: 'EMERGENCY alert', urgent: 'Urgent alert', routine: 'Routine alert' },
    inSentence: { emergency: 'emergency', urgent: 'urgent', routine: 'routine' },
    ask: {
      emergency:
        'The patient has been told to call the emergency number now. Please look at it at once.',
      urgent: 'The patient has been told to contact their practitioner or a doctor today.',
      routine: 'The patient has been told to let their practitioner know (no rush, within a day).',
    },
    subject: {
      checkIn: (name, raised) =>
        `[Needlecare] ${name}${raised ? ' (raised)' : ''} from a patient check-in`,
      escalation: (name) => `[Needlecare] ${name} not yet acknowledged — please act`,
      missed: (name) => `[Needlecare] ${name}: missed early check-in — please call the patient`,
    },
    checkIn: (clinic, alert) => `A patient check-in at ${clinic} needs attention (${alert}).`,
    escalation: (clinic, alert, minutes) => [
      `A ${alert} alert at ${clinic} has been waiting ${minutes} minutes without anyone acknowledging it.`,
      'You are receiving this as an escalation contact for the clinic.',
    ],
    missed: (clinic) => [
      `A patient of ${clinic} did not answer an early check-in after needling near the chest.`,
      'Please call the patient.',
    ],
    raisedAt: (when) => `Raised: ${when} (clinic time)`,
    open: (url) => `Open it on the dashboard: ${url}`,
    noDetails: 'This e-mail holds no patient details; sign in to see them.',
    signIn: "Sign in to see the patient's name and report.",
    reach: 'How to reach the patient:',
    noContact: 'No contact given: the patient gave no phone or e-mail.',
    phone: 'Phone',
    email: 'E-mail',
    noneGiven: 'none given',
    sms: (name, clinic, url) => `Needlecare: ${name} at ${clinic}. ${url}`,
    smsEscalation: (name, clinic, minutes, url) =>
      `Needlecare: ${name} at ${clinic} unacknowledged for ${minutes} min. ${url}`,
  },
  es: {
    name: {
      emergency: 'Aviso de EMERGENCIA',
      urgent: 'Aviso urgente',
      routine: 'Aviso rutinario',
    },
    inSentence: {
      emergency: 'aviso de emergencia',
      urgent: 'aviso urgente',
      routine: 'aviso rutinario',
    },
    ask: {
      emergency:
        'Al paciente se le ha dicho que llame ya al número de emergencias. Revíselo de inmediato, por favor.',
      urgent: 'Al paciente se le ha dicho que contacte hoy con su fisioterapeuta o con un médico.',
      routine:
        'Al paciente se le ha dicho que se lo comente a su fisioterapeuta (sin prisa, en el plazo de un día).',
    },
    subject: {
      checkIn: (name, raised) =>
        `[Needlecare] ${name}${raised ? ' (ha subido de nivel)' : ''} por el seguimiento de un paciente`,
      escalation: (name) => `[Needlecare] ${name} sin confirmar: actúe, por favor`,
      missed: (name) =>
        `[Needlecare] ${name}: seguimiento temprano sin respuesta; llame al paciente, por favor`,
    },
    checkIn: (clinic, alert) =>
      `El seguimiento de un paciente de ${clinic} necesita atención (${alert}).`,
    escalation: (clinic, alert, minutes) => [
      `Un ${alert} de ${clinic} lleva ${minutes} minutos sin que nadie lo confirme.`,
      'Le llega este correo porque es contacto de escalado de la clínica.',
    ],
    missed: (clinic) => [
      `Un paciente de ${clinic} no respondió a un seguimiento temprano tras una punción cerca del tórax.`,
      'Llame al paciente, por favor.',
    ],
    raisedAt: (when) => `Aviso emitido: ${when} (hora de la clínica)`,
    open: (url) => `Ábralo en el panel: ${url}`,
    noDetails: 'Este correo no lleva datos del paciente; inicie sesión para verlos.',
    signIn: 'Inicie sesión para ver el nombre del paciente y su respuesta.',
    reach: 'Cómo contactar con el paciente:',
    noContact: 'Sin datos de contacto: el paciente no dio teléfono ni correo.',
    phone: 'Teléfono',
    email: 'Correo',
    noneGiven: 'no lo dio',
    sms: (name, clinic, url) => `Needlecare: ${name} en ${clinic}. ${url}`,
    smsEscalation: (name, clinic, minutes, url) =>
      `Needlecare: ${name} en ${clinic}, sin confirmar desde hace ${minutes} min. ${url}`,
  },
};

function contactLines(c: AlertPatientContact, w: AlertWords): string[] {
  if (c.phone === null && c.email === null) return [w.reach, `  ${w.noContact}`];
  return [
    w.reach,
    c.phone === null
      ? `  ${w.phone}: ${w.noneGiven}`
      : `  ${w.phone}: ${c.phone} (${telUri(c.phone)})`,
    c.email === null ? `  ${w.email}: ${w.noneGiven}` : `  ${w.email}: ${c.email}`,
  ];
}

/** The same message as HTML: each line a paragraph, the phone a `tel:` link, the e-mail `mailto:`. */
function alertHtml(text: string, c: AlertPatientContact, language: Locale): string {
  const w = ALERT_WORDS[language];
  const phoneLine =
    c.phone === null
      ? `<li>${w.phone}: ${escapeHtml(w.noneGiven)}</li>`
      : `<li>${w.phone}: <a href="${escapeHtml(telUri(c.phone))}">${escapeHtml(c.phone)}</a></li>`;
  const emailLine =
    c.email === null
      ? `<li>${w.email}: ${escapeHtml(w.noneGiven)}</li>`
      : `<li>${w.email}: <a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a></li>`;
  const reach = `<strong>${escapeHtml(w.reach)}</strong>`;
  const contact =
    c.phone === null && c.email === null
      ? `<p>${reach} ${escapeHtml(w.noContact)}</p>`
      : `<p>${reach}</p><ul>${phoneLine}${emailLine}</ul>`;
  const paragraphs = text
    .split('\n\n')
    .filter((block) => !block.startsWith(w.reach))
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map(
      (block) =>
        `<p>${escapeHtml(block)
          .replace(/\n/g, '<br>')
          .replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</p>`,
    );
  // The contact block goes right after the opening lines: it is what the reader acts on.
  paragraphs.splice(1, 0, contact);
  return `<!doctype html><html lang="${language}"><body>${paragraphs.join('')}</body></html>`;
}

/** Add the contact block (text and HTML) to a staff alert e-mail when the clinic gives it. */
function withContact(
  mail: { subject: string; lines: string[] },
  contact: AlertPatientContact | undefined,
  language: Locale,
): RenderedEmail {
  const w = ALERT_WORDS[language];
  if (contact === undefined)
    return { subject: mail.subject, text: [...mail.lines, w.noDetails, ''].join('\n') };
  const [first = '', second = '', ...rest] = mail.lines;
  const lines = [first, second, '', ...contactLines(contact, w), ...rest, w.signIn, ''];
  // Lines that were one paragraph stay one (the opening two when the second is not blank).
  const text = lines.join('\n').replace(/\n{3,}/g, '\n\n');
  return { subject: mail.subject, text, html: alertHtml(text, contact, language) };
}

/** The patient's reminder texts (the one catalogue module fills them: src/i18n/catalogue.ts). */
const REMINDER_TEXT = {
  subject: {
    en: '{clinic}: time for your check-in',
    es: '{clinic}: es la hora de su seguimiento',
  },
  greeting: { en: 'Hello,', es: 'Hola:' },
  body: {
    en: 'This is {clinic}. It is time for your short check-in after your session: open your personal page and answer a few questions. It takes less than a minute.',
    es: 'Le escribimos de {clinic}. Ha llegado el momento de su breve seguimiento tras la sesión: abra su página personal y responda a unas pocas preguntas. Le llevará menos de un minuto.',
  },
  emergency: {
    en: 'If you feel seriously unwell, do not wait: call {emergency} now.',
    es: 'Si se encuentra muy mal, no espere: llame ahora al {emergency}.',
  },
  questions: {
    en: 'Any questions? Call the clinic on {phone}.',
    es: 'Para cualquier duda, llame a la clínica al {phone}.',
  },
  stop: {
    en: 'Rather not get these reminders? Stop them here: {stop}',
    es: '¿No quiere recibir más recordatorios? Cancélelos aquí: {stop}',
  },
  sms: {
    en: '{clinic}: time for your short check-in: {link} Feeling seriously unwell? Call {emergency}. Stop reminders: {stop}',
    es: '{clinic}: es la hora de su breve seguimiento: {link} Si se encuentra muy mal, llame al {emergency}. Dejar de recibir avisos: {stop}',
  },
} as const satisfies Catalogue<string>;

function reminderValues(p: ReminderPayload): MessageValues {
  return {
    clinic: p.clinicName,
    emergency: p.emergencyNumber,
    phone: p.contactPhone,
    link: p.linkUrl,
    stop: p.stopUrl,
  };
}

export function renderReminderEmail(p: ReminderPayload): RenderedEmail {
  const L = p.language === 'es' ? 'es' : 'en';
  const values = reminderValues(p);
  const t = (key: keyof typeof REMINDER_TEXT) => translate(REMINDER_TEXT, L, key, values);
  return {
    subject: t('subject'),
    text: [
      t('greeting'),
      '',
      t('body'),
      '',
      p.linkUrl,
      '',
      t('emergency'),
      t('questions'),
      '',
      '—',
      t('stop'),
      '',
    ].join('\n'),
  };
}

export function renderReminderSms(p: ReminderPayload): string {
  return translate(REMINDER_TEXT, p.language === 'es' ? 'es' : 'en', 'sms', reminderValues(p));
}

/**
 * Staff alert e-mail, in `language` (decision 0501; English before it). Subject: severity only,
 * no patient name. With `contact` (urgent and emergency alerts and the missed early check-in,
 * when the clinic gives it: decision 1221) the body says how to reach the patient, the phone as
 * a `tel:` link in the HTML part, or plainly that no contact was given.
 */
export function renderAlertEmail(
  p: AlertMessagePayload,
  contact?: AlertPatientContact,
  language: Locale = 'en',
): RenderedEmail {
  const w = ALERT_WORDS[language];
  const name = w.name[p.severity];
  const alert = w.inSentence[p.severity];
  const when = formatInstant(p.raisedAt, p.timeZone, intlTag(language), 'short-weekday-date-time');
  const tail = ['', w.raisedAt(when), w.open(p.dashboardUrl), ''];
  if (p.escalation !== undefined) {
    return withContact(
      {
        subject: w.subject.escalation(name),
        lines: [...w.escalation(p.clinicName, alert, p.escalation.minutesOpen), ...tail],
      },
      contact,
      language,
    );
  }
  if (p.reason === 'missed_checkin') {
    return withContact(
      { subject: w.subject.missed(name), lines: [...w.missed(p.clinicName), ...tail] },
      contact,
      language,
    );
  }
  return withContact(
    {
      subject: w.subject.checkIn(name, p.event === 'alert.raised'),
      lines: [w.checkIn(p.clinicName, alert), w.ask[p.severity], ...tail],
    },
    contact,
    language,
  );
}

/** Staff alert SMS, in `language` (decision 0501): severity, clinic and the dashboard link. */
export function renderAlertSms(p: AlertMessagePayload, language: Locale = 'en'): string {
  const w = ALERT_WORDS[language];
  const name = w.name[p.severity];
  if (p.escalation !== undefined)
    return w.smsEscalation(name, p.clinicName, p.escalation.minutesOpen, p.dashboardUrl);
  return w.sms(name, p.clinicName, p.dashboardUrl);
}

/**
 * The invitation or password-reset e-mail to a staff member: who sent it, the link, how long it
 * works, and what to do if it was not expected. No password is ever sent.
 */
export function renderPasswordLinkEmail(
  kind: 'invite.email' | 'password-reset.email',
  p: PasswordLinkPayload,
): RenderedEmail {
  const invite = kind === 'invite.email';
  if (p.language === 'es') {
    return {
      subject: invite
        ? `${p.clinicName} le invita a Needlecare`
        : 'Needlecare: enlace para cambiar su contraseña',
      text: [
        `Hola, ${p.name}:`,
        '',
        invite
          ? `${p.clinicName} le ha dado acceso a Needlecare, donde la clínica sigue cómo evolucionan sus pacientes tras la punción seca. Para empezar, elija su contraseña en este enlace:`
          : 'Alguien (seguramente usted) pidió cambiar la contraseña de su cuenta de Needlecare. Puede elegir una nueva en este enlace:',
        '',
        p.url,
        '',
        invite
          ? 'El enlace sirve una sola vez y caduca a los 7 días.'
          : 'El enlace sirve una sola vez y caduca en una hora. Al cambiarla se cerrarán todas sus sesiones abiertas.',
        invite
          ? 'Si no esperaba este correo, puede ignorarlo.'
          : 'Si no lo pidió usted, ignore este correo: su contraseña no cambia.',
      ].join('\n'),
    };
  }
  return {
    subject: invite
      ? `${p.clinicName} invites you to Needlecare`
      : 'Needlecare: a link to change your password',
    text: [
      `Hello ${p.name},`,
      '',
      invite
        ? `${p.clinicName} has given you access to Needlecare, where the clinic follows how its patients are doing after dry needling. To start, choose your password at this link:`
        : 'Someone (most likely you) asked to change the password of your Needlecare account. You can choose a new one at this link:',
      '',
      p.url,
      '',
      invite
        ? 'The link works once and expires after 7 days.'
        : 'The link works once and expires in one hour. Changing the password signs you out everywhere.',
      invite
        ? 'If you did not expect this e-mail, you can ignore it.'
        : 'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ].join('\n'),
  };
}
