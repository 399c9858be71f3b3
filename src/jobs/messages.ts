/**
 * Message texts, in English and Spanish. Patient messages carry the link, the stop link and the
 * clinic's numbers — never anything clinical (no symptoms, results, dispositions or muscles),
 * since e-mail and SMS are read on lock screens and shared devices. Staff messages carry the
 * severity and a dashboard link, and never the patient's name; an alert that asks staff to call
 * the patient also carries how to reach them, unless the clinic switched it off (decision 1221).
 */

import { formatInstant } from '../clinical/time-zone.ts';
import { type Catalogue, type MessageValues, translate } from '../i18n/catalogue.ts';
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

const NO_CONTACT_TEXT = 'No contact given: the patient gave no phone or e-mail.';

function contactLines(c: AlertPatientContact): string[] {
  if (c.phone === null && c.email === null)
    return ['How to reach the patient:', `  ${NO_CONTACT_TEXT}`];
  return [
    'How to reach the patient:',
    ...(c.phone === null ? ['  Phone: none given'] : [`  Phone: ${c.phone} (${telUri(c.phone)})`]),
    ...(c.email === null ? ['  E-mail: none given'] : [`  E-mail: ${c.email}`]),
  ];
}

/** The same message as HTML: each line a paragraph, the phone a `tel:` link, the e-mail `mailto:`. */
function alertHtml(text: string, c: AlertPatientContact): string {
  const phoneLine =
    c.phone === null
      ? '<li>Phone: none given</li>'
      : `<li>Phone: <a href="${escapeHtml(telUri(c.phone))}">${escapeHtml(c.phone)}</a></li>`;
  const emailLine =
    c.email === null
      ? '<li>E-mail: none given</li>'
      : `<li>E-mail: <a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a></li>`;
  const contact =
    c.phone === null && c.email === null
      ? `<p><strong>How to reach the patient:</strong> ${escapeHtml(NO_CONTACT_TEXT)}</p>`
      : `<p><strong>How to reach the patient:</strong></p><ul>${phoneLine}${emailLine}</ul>`;
  const paragraphs = text
    .split('\n\n')
    .filter((block) => !block.startsWith('How to reach the patient:'))
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
  return `<!doctype html><html lang="en"><body>${paragraphs.join('')}</body></html>`;
}

/** Add the contact block (text and HTML) to a staff alert e-mail when the clinic gives it. */
function withContact(
  mail: { subject: string; lines: string[] },
  contact: AlertPatientContact | undefined,
): RenderedEmail {
  if (contact === undefined)
    return {
      subject: mail.subject,
      text: [...mail.lines, 'This e-mail holds no patient details; sign in to see them.', ''].join(
        '\n',
      ),
    };
  const [first = '', second = '', ...rest] = mail.lines;
  const lines = [
    first,
    second,
    '',
    ...contactLines(contact),
    ...rest,
    "Sign in to see the patient's name and report.",
    '',
  ];
  // Lines that were one paragraph stay one (the opening two when the second is not blank).
  const text = lines.join('\n').replace(/\n{3,}/g, '\n\n');
  return { subject: mail.subject, text, html: alertHtml(text, contact) };
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

const SEVERITY_WORD: Readonly<Record<AlertSeverity, string>> = {
  emergency: 'EMERGENCY',
  urgent: 'Urgent',
  routine: 'Routine',
};

const SEVERITY_ASK: Readonly<Record<AlertSeverity, string>> = {
  emergency:
    'The patient has been told to call the emergency number now. Please look at it at once.',
  urgent: 'The patient has been told to contact their practitioner or a doctor today.',
  routine: 'The patient has been told to let their practitioner know (no rush, within a day).',
};

/**
 * Staff alert e-mail (staff read English). Subject: severity only, no patient name. With
 * `contact` (urgent and emergency alerts and the missed early check-in, when the clinic gives
 * it: decision 1221) the body says how to reach the patient, the phone as a `tel:` link in the
 * HTML part, or plainly that no contact was given.
 */
export function renderAlertEmail(
  p: AlertMessagePayload,
  contact?: AlertPatientContact,
): RenderedEmail {
  const word = SEVERITY_WORD[p.severity];
  const when = formatInstant(p.raisedAt, p.timeZone, 'en-GB', 'short-weekday-date-time');
  if (p.escalation !== undefined) {
    return withContact(
      {
        subject: `[Needlecare] ${word} alert not yet acknowledged — please act`,
        lines: [
          `A ${word.toLowerCase()} alert at ${p.clinicName} has been waiting ${p.escalation.minutesOpen} minutes without anyone acknowledging it.`,
          'You are receiving this as an escalation contact for the clinic.',
          '',
          `Raised: ${when} (clinic time)`,
          `Open it on the dashboard: ${p.dashboardUrl}`,
          '',
        ],
      },
      contact,
    );
  }
  if (p.reason === 'missed_checkin') {
    return withContact(
      {
        subject: `[Needlecare] ${word} alert: missed early check-in — please call the patient`,
        lines: [
          `A patient of ${p.clinicName} did not answer an early check-in after needling near the chest.`,
          'Please call the patient.',
          '',
          `Raised: ${when} (clinic time)`,
          `Open it on the dashboard: ${p.dashboardUrl}`,
          '',
        ],
      },
      contact,
    );
  }
  return withContact(
    {
      subject: `[Needlecare] ${word} alert${p.event === 'alert.raised' ? ' (raised)' : ''} from a patient check-in`,
      lines: [
        `A patient check-in at ${p.clinicName} needs attention (${word.toLowerCase()}).`,
        SEVERITY_ASK[p.severity],
        '',
        `Raised: ${when} (clinic time)`,
        `Open it on the dashboard: ${p.dashboardUrl}`,
        '',
      ],
    },
    contact,
  );
}

export function renderAlertSms(p: AlertMessagePayload): string {
  const word = SEVERITY_WORD[p.severity];
  if (p.escalation !== undefined) {
    return `Needlecare: ${word} alert at ${p.clinicName} unacknowledged for ${p.escalation.minutesOpen} min. ${p.dashboardUrl}`;
  }
  return `Needlecare: ${word} alert at ${p.clinicName}. ${p.dashboardUrl}`;
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
