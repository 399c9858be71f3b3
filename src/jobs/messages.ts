/**
 * Message texts, in English and Spanish. Patient messages carry the link, the stop link and the
 * clinic's numbers — never anything clinical (no symptoms, results, dispositions or muscles),
 * since e-mail and SMS are read on lock screens and shared devices. Staff messages carry the
 * severity and a dashboard link, and never the patient's name.
 */
import type { AlertSeverity } from '../store/alerts.repository.ts';
import type { AlertMessagePayload, ReminderPayload } from './payloads.ts';
import { formatInstant } from '../clinical/time-zone.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
}

export function renderReminderEmail(p: ReminderPayload): RenderedEmail {
  if (p.language === 'es') {
    return {
      subject: `${p.clinicName}: es la hora de su seguimiento`,
      text: [
        'Hola:',
        '',
        `Le escribimos de ${p.clinicName}. Ha llegado el momento de su breve seguimiento tras la sesión: abra su página personal y responda a unas pocas preguntas. Le llevará menos de un minuto.`,
        '',
        p.linkUrl,
        '',
        `Si se encuentra muy mal, no espere: llame ahora al ${p.emergencyNumber}.`,
        `Para cualquier duda, llame a la clínica al ${p.contactPhone}.`,
        '',
        '—',
        `¿No quiere recibir más recordatorios? Cancélelos aquí: ${p.stopUrl}`,
        '',
      ].join('\n'),
    };
  }
  return {
    subject: `${p.clinicName}: time for your check-in`,
    text: [
      'Hello,',
      '',
      `This is ${p.clinicName}. It is time for your short check-in after your session: open your personal page and answer a few questions. It takes less than a minute.`,
      '',
      p.linkUrl,
      '',
      `If you feel seriously unwell, do not wait: call ${p.emergencyNumber} now.`,
      `Any questions? Call the clinic on ${p.contactPhone}.`,
      '',
      '—',
      `Rather not get these reminders? Stop them here: ${p.stopUrl}`,
      '',
    ].join('\n'),
  };
}

export function renderReminderSms(p: ReminderPayload): string {
  if (p.language === 'es') {
    return `${p.clinicName}: es la hora de su breve seguimiento: ${p.linkUrl} Si se encuentra muy mal, llame al ${p.emergencyNumber}. Dejar de recibir avisos: ${p.stopUrl}`;
  }
  return `${p.clinicName}: time for your short check-in: ${p.linkUrl} Feeling seriously unwell? Call ${p.emergencyNumber}. Stop reminders: ${p.stopUrl}`;
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

/** Staff alert e-mail (staff read English). Subject: severity only, no patient name. */
export function renderAlertEmail(p: AlertMessagePayload): RenderedEmail {
  const word = SEVERITY_WORD[p.severity];
  const when = formatInstant(p.raisedAt, p.timeZone, 'en-GB', 'short-weekday-date-time');
  if (p.escalation !== undefined) {
    return {
      subject: `[Needlecare] ${word} alert not yet acknowledged — please act`,
      text: [
        `A ${word.toLowerCase()} alert at ${p.clinicName} has been waiting ${p.escalation.minutesOpen} minutes without anyone acknowledging it.`,
        'You are receiving this as an escalation contact for the clinic.',
        '',
        `Raised: ${when} (clinic time)`,
        `Open it on the dashboard: ${p.dashboardUrl}`,
        '',
        'This e-mail holds no patient details; sign in to see them.',
        '',
      ].join('\n'),
    };
  }
  if (p.reason === 'missed_checkin') {
    return {
      subject: `[Needlecare] ${word} alert: missed early check-in — please call the patient`,
      text: [
        `A patient of ${p.clinicName} did not answer an early check-in after needling near the chest.`,
        'Please call the patient.',
        '',
        `Raised: ${when} (clinic time)`,
        `Open it on the dashboard: ${p.dashboardUrl}`,
        '',
        'This e-mail holds no patient details; sign in to see them.',
        '',
      ].join('\n'),
    };
  }
  return {
    subject: `[Needlecare] ${word} alert${p.event === 'alert.raised' ? ' (raised)' : ''} from a patient check-in`,
    text: [
      `A patient check-in at ${p.clinicName} needs attention (${word.toLowerCase()}).`,
      SEVERITY_ASK[p.severity],
      '',
      `Raised: ${when} (clinic time)`,
      `Open it on the dashboard: ${p.dashboardUrl}`,
      '',
      'This e-mail holds no patient details; sign in to see them.',
      '',
    ].join('\n'),
  };
}

export function renderAlertSms(p: AlertMessagePayload): string {
  const word = SEVERITY_WORD[p.severity];
  if (p.escalation !== undefined) {
    return `Needlecare: ${word} alert at ${p.clinicName} unacknowledged for ${p.escalation.minutesOpen} min. ${p.dashboardUrl}`;
  }
  return `Needlecare: ${word} alert at ${p.clinicName}. ${p.dashboardUrl}`;
}
