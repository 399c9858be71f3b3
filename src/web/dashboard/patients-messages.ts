import type { Locale } from '../../clinical/types.ts';
import { type Catalogue, fill } from '../../i18n/catalogue.ts';

/** The patients pages' words (issue 11), English and Spanish, kept beside the main catalogue. */
const MESSAGES = {
  patientsTitle: { en: 'Patients', es: 'Pacientes' },
  patientsSearch: {
    en: 'Search by name, e-mail or phone',
    es: 'Buscar por nombre, correo o teléfono',
  },
  patientsSearchButton: { en: 'Search', es: 'Buscar' },
  patientsNone: { en: 'No patient matches.', es: 'Ningún paciente coincide.' },
  patientsMore: { en: 'Older patients', es: 'Pacientes anteriores' },
  patientsFirst: { en: 'Back to the newest', es: 'Volver a los más recientes' },
  colName: { en: 'Name', es: 'Nombre' },
  colContact: { en: 'Contact', es: 'Contacto' },
  colAdded: { en: 'Added', es: 'Alta' },
  colActions: { en: 'Actions', es: 'Acciones' },
  erasedName: { en: 'Erased patient', es: 'Paciente borrado' },
  openTimeline: { en: 'Sessions', es: 'Sesiones' },
  openRecord: { en: 'Details', es: 'Datos' },
  recordTitle: { en: 'Details of {name}', es: 'Datos de {name}' },
  editHeading: { en: 'Name and contact', es: 'Nombre y contacto' },
  fieldName: { en: 'Full name', es: 'Nombre completo' },
  fieldEmail: { en: 'E-mail (optional)', es: 'Correo electrónico (opcional)' },
  fieldPhone: { en: 'Mobile phone (optional)', es: 'Teléfono móvil (opcional)' },
  fieldLanguage: { en: 'Language of messages', es: 'Idioma de los mensajes' },
  save: { en: 'Save changes', es: 'Guardar cambios' },
  saved: { en: 'Changes saved.', es: 'Cambios guardados.' },
  linksHeading: { en: 'Patient links', es: 'Enlaces del paciente' },
  linksNone: { en: 'No link has been issued yet.', es: 'Aún no se ha enviado ningún enlace.' },
  colIssued: { en: 'Issued', es: 'Emitido' },
  colExpires: { en: 'Works until', es: 'Válido hasta' },
  colState: { en: 'State', es: 'Estado' },
  stateActive: { en: 'Active', es: 'Activo' },
  stateExpired: { en: 'Expired', es: 'Caducado' },
  stateRevoked: { en: 'Revoked', es: 'Revocado' },
  revoke: { en: 'Revoke', es: 'Revocar' },
  revoked: { en: 'The link no longer opens.', es: 'El enlace ya no se abre.' },
  messagesHeading: { en: 'Reminders', es: 'Recordatorios' },
  messagesNone: {
    en: 'No reminder for this patient.',
    es: 'Ningún recordatorio para este paciente.',
  },
  colDue: { en: 'Due', es: 'Previsto' },
  colChannel: { en: 'By', es: 'Por' },
  channelEmail: { en: 'E-mail', es: 'Correo' },
  channelSms: { en: 'Text message', es: 'SMS' },
  msgSent: { en: 'Sent', es: 'Enviado' },
  msgCancelled: { en: 'Cancelled, not sent', es: 'Cancelado, no enviado' },
  msgSkipped: {
    en: 'Not needed, not sent (already answered, or the link no longer worked)',
    es: 'No hizo falta, no enviado (ya había respondido o el enlace ya no funcionaba)',
  },
  msgPending: { en: 'Waiting', es: 'En espera' },
  msgFailing: { en: 'Failed, will retry', es: 'Falló, se reintentará' },
  msgDead: { en: 'Gave up', es: 'Abandonado' },
  exportHeading: { en: 'Export', es: 'Exportar' },
  exportJson: {
    en: 'Download the whole record (JSON)',
    es: 'Descargar el historial completo (JSON)',
  },
  eraseHeading: { en: 'Erase this patient', es: 'Borrar a este paciente' },
  eraseText: {
    en: 'Removes the name, contact details and everything the patient or staff wrote. Session and check-in numbers stay, without a name, for the adverse-event register. This cannot be undone.',
    es: 'Elimina el nombre, los datos de contacto y todo lo que escribieron el paciente o el personal. Los datos de sesiones y controles se conservan, sin nombre, para el registro de efectos adversos. No se puede deshacer.',
  },
  eraseConfirm: {
    en: 'Type the patient’s name to confirm: {name}',
    es: 'Escriba el nombre del paciente para confirmar: {name}',
  },
  eraseButton: { en: 'Erase for good', es: 'Borrar definitivamente' },
  eraseMismatch: {
    en: 'The name typed does not match. Nothing was erased.',
    es: 'El nombre escrito no coincide. No se ha borrado nada.',
  },
  erased: { en: 'The patient was erased.', es: 'Se ha borrado al paciente.' },
  alreadyErased: {
    en: 'This patient was erased on {when}.',
    es: 'Este paciente se borró el {when}.',
  },
  badField: { en: '{field}: please check this field.', es: '{field}: revise este campo.' },
  badFieldWhy: {
    en: '{field}: please check this field ({why}).',
    es: '{field}: revise este campo ({why}).',
  },
  exportClinic: {
    en: 'Download all of the clinic’s data (ZIP of JSON and CSV files)',
    es: 'Descargar todos los datos de la clínica (ZIP con archivos JSON y CSV)',
  },
  backToPatients: { en: 'Back to patients', es: 'Volver a pacientes' },
} as const satisfies Catalogue<string>;

export type PatientsMessageKey = keyof typeof MESSAGES;

export function tp(
  locale: Locale,
  key: PatientsMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(MESSAGES[key][locale], values);
}
