import type { Locale } from '../../clinical/types.ts';
import { type Catalogue, fill } from '../../i18n/catalogue.ts';

/**
 * The clinic page's escalation section (decision 0502): who is told when nobody acknowledges
 * an alert, and when. English and Spanish, kept beside the main catalogue.
 */
const MESSAGES = {
  escTitle: {
    en: 'Escalation: when nobody acknowledges an alert',
    es: 'Escalado: cuando nadie confirma un aviso',
  },
  escLead: {
    en: 'An alert that nobody acknowledges in time goes to your escalation contacts, one after another, by e-mail and text message. If that moment falls outside the staffed hours set above, it waits for the next opening.',
    es: 'Un aviso que nadie confirma a tiempo se envía a sus contactos de escalado, uno tras otro, por correo y por SMS. Si ese momento cae fuera del horario con personal indicado arriba, espera a la siguiente apertura.',
  },
  escTimingLegend: { en: 'Minutes before escalating', es: 'Minutos antes de escalar' },
  escEmergency: { en: 'Emergency alerts', es: 'Avisos de emergencia' },
  escUrgent: { en: 'Urgent alerts', es: 'Avisos urgentes' },
  escRoutine: { en: 'Routine alerts', es: 'Avisos rutinarios' },
  escRoutineHelp: {
    en: 'Leave empty and routine alerts never escalate.',
    es: 'Si lo deja vacío, los avisos rutinarios no se escalan.',
  },
  escContactsLegend: {
    en: 'Escalation contacts, in order',
    es: 'Contactos de escalado, por orden',
  },
  escContactsHelp: {
    en: 'The first is told at the first escalation, the next one a further interval later. Each needs an e-mail or a phone. Empty a row to remove it.',
    es: 'El primero recibe el primer escalado; el siguiente, un intervalo más tarde. Cada uno necesita un correo o un teléfono. Vacíe una fila para quitarlo.',
  },
  escContact: { en: 'Contact {n}', es: 'Contacto {n}' },
  escName: { en: 'Name', es: 'Nombre' },
  escEmail: { en: 'E-mail', es: 'Correo electrónico' },
  escPhone: { en: 'Phone for text messages', es: 'Teléfono para SMS' },
  escLanguage: { en: 'Language of their messages', es: 'Idioma de sus mensajes' },
  escLanguageClinic: { en: 'The clinic’s ({lang})', es: 'El de la clínica ({lang})' },
  escAlertEmail: {
    en: 'Alert e-mail address when a session has no practitioner',
    es: 'Correo para avisos cuando la sesión no tiene fisioterapeuta',
  },
  escAfterHours: {
    en: 'Out-of-hours phone shown to patients',
    es: 'Teléfono fuera de horario que ven los pacientes',
  },
  escOptionalHelp: { en: 'Leave empty if you have none.', es: 'Déjelo vacío si no tiene.' },
  escMissed: {
    en: 'Minutes an early check-in after needling near the chest may be late before it becomes an alert',
    es: 'Minutos que puede retrasarse un seguimiento temprano tras una punción cerca del tórax antes de convertirse en aviso',
  },
  escSave: { en: 'Save escalation', es: 'Guardar escalado' },
  escSaved: { en: 'Escalation settings saved.', es: 'Ajustes de escalado guardados.' },
  escMinutesBad: {
    en: '{field}: write a whole number of minutes, from 1 to {max}.',
    es: '{field}: escriba un número entero de minutos, de 1 a {max}.',
  },
  escTooMany: {
    en: 'Escalation contacts: at most {max}.',
    es: 'Contactos de escalado: como mucho {max}.',
  },
  escFieldError: { en: '{field}: {message}', es: '{field}: {message}' },
} as const satisfies Catalogue<string>;

export type EscalationMessageKey = keyof typeof MESSAGES;

/** A string of the clinic page's escalation section, in `locale`. */
export function tesc(
  locale: Locale,
  key: EscalationMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(MESSAGES[key][locale], values);
}
