import type { Locale } from '../../clinical/types.ts';
import { type Catalogue, fill } from '../../i18n/catalogue.ts';

/**
 * The clinic page's words for roles, API tokens and retention, and the duplicate-patient
 * warning (issue 11), English and Spanish, kept beside the main catalogue.
 */
const MESSAGES = {
  roleOf: { en: 'Role of {name}', es: 'Función de {name}' },
  roleBad: {
    en: 'Role: choose admin or practitioner.',
    es: 'Función: elija administrador o profesional.',
  },
  changeRole: { en: 'Change role', es: 'Cambiar función' },
  roleChanged: {
    en: '{name} is now {role}. It applies from their next click.',
    es: '{name} ahora es {role}. Se aplica desde su próximo clic.',
  },
  lastAdminDemote: {
    en: '{name} is the clinic’s last active admin. Make someone else an admin first.',
    es: '{name} es el último administrador activo de la clínica. Nombre antes a otra persona administradora.',
  },
  lastAdminDeactivate: {
    en: '{name} is the clinic’s last active admin and cannot be deactivated. Make someone else an admin first.',
    es: '{name} es el último administrador activo de la clínica y no se puede desactivar. Nombre antes a otra persona administradora.',
  },
  tokensTitle: { en: 'API tokens', es: 'Tokens de API' },
  tokensLead: {
    en: 'Integrations (for example your records system) use a token to call the API. A token stops working on its expiry date; make a new one before then.',
    es: 'Las integraciones (por ejemplo, su sistema de historias) usan un token para llamar a la API. Un token deja de funcionar en su fecha de caducidad; cree uno nuevo antes.',
  },
  tokensNone: { en: 'No API tokens yet.', es: 'Todavía no hay tokens de API.' },
  tokenName: { en: 'Name', es: 'Nombre' },
  tokenNameLabel: { en: 'Token name', es: 'Nombre del token' },
  tokenMadeBy: { en: 'Made by', es: 'Creado por' },
  tokenCreated: { en: 'Created', es: 'Creado' },
  tokenExpires: { en: 'Expires', es: 'Caduca' },
  tokenLastUsed: { en: 'Last used', es: 'Último uso' },
  tokenState: { en: 'State', es: 'Estado' },
  tokenNever: { en: 'Never', es: 'Nunca' },
  tokenUnknownMaker: {
    en: 'A command or a removed person',
    es: 'Un comando o una persona eliminada',
  },
  tokenActive: { en: 'Active', es: 'Activo' },
  tokenExpired: { en: 'Expired', es: 'Caducado' },
  tokenRevoked: { en: 'Revoked', es: 'Revocado' },
  tokenRevoke: { en: 'Revoke {name}', es: 'Revocar {name}' },
  tokenRevokedDone: {
    en: 'The token {name} was revoked: it no longer opens anything.',
    es: 'Se revocó el token {name}: ya no abre nada.',
  },
  tokenNew: { en: 'Make a token', es: 'Crear un token' },
  tokenDays: { en: 'Days until it expires', es: 'Días hasta que caduque' },
  tokenDaysHelp: {
    en: 'From 1 to {max} days; {default} if you are unsure.',
    es: 'De 1 a {max} días; {default} si no está seguro.',
  },
  tokenMake: { en: 'Make token', es: 'Crear token' },
  tokenSecret: {
    en: 'Copy this token now: it is shown only once. It expires on {expires}.',
    es: 'Copie este token ahora: solo se muestra una vez. Caduca el {expires}.',
  },
  tokenNameRequired: {
    en: 'Name: give the token a name (1 to 100 characters).',
    es: 'Nombre: dé un nombre al token (de 1 a 100 caracteres).',
  },
  tokenDaysBad: {
    en: 'Days until it expires: a whole number from 1 to {max}.',
    es: 'Días hasta que caduque: un número entero de 1 a {max}.',
  },
  retentionYears: { en: 'Keep records for (years)', es: 'Conservar historias durante (años)' },
  retentionHelp: {
    en: 'A patient’s record is erased this many years after their last session (the worker checks once a day). 8 years is what a UK adult record would get. From {min} to {max} years.',
    es: 'La historia de un paciente se borra este número de años después de su última sesión (el proceso lo comprueba una vez al día). 8 años es lo que tendría una historia de adulto en el Reino Unido. De {min} a {max} años.',
  },
  retentionBad: {
    en: 'Keep records for (years): a whole number from {min} to {max}.',
    es: 'Conservar historias durante (años): un número entero de {min} a {max}.',
  },
  printLink: { en: 'Printable record', es: 'Historial para imprimir' },
  printTitle: { en: 'Record of {name}', es: 'Historial de {name}' },
  printLead: {
    en: 'Everything {clinic} holds about this patient, printed on {when}. Use your browser’s Print command (Ctrl+P or ⌘P).',
    es: 'Todo lo que {clinic} guarda de este paciente, impreso el {when}. Use la orden Imprimir del navegador (Ctrl+P o ⌘P).',
  },
  printPatient: { en: 'Patient', es: 'Paciente' },
  printLanguage: { en: 'Language', es: 'Idioma' },
  printAdded: { en: 'Added', es: 'Alta' },
  printNoContact: { en: 'No contact given', es: 'Sin contacto' },
  printSessions: { en: 'Sessions', es: 'Sesiones' },
  printAlerts: { en: 'Alerts', es: 'Avisos' },
  printLinks: { en: 'Patient links', es: 'Enlaces del paciente' },
  printMessages: { en: 'Messages sent to the patient', es: 'Mensajes enviados al paciente' },
  printNone: { en: 'None.', es: 'Ninguno.' },
  printRaised: { en: 'Raised', es: 'Creado' },
  printSeverity: { en: 'Level', es: 'Nivel' },
  printStatus: { en: 'Status', es: 'Estado' },
  printAcknowledged: { en: 'Acknowledged', es: 'Atendido' },
  printResolved: { en: 'Resolved', es: 'Resuelto' },
  printOutcome: { en: 'Outcome and note', es: 'Resultado y nota' },
  printSource: { en: 'Sent by', es: 'Enviado por' },
  sourcePatient: { en: 'Patient', es: 'Paciente' },
  sourceEmergency: { en: 'Emergency button', es: 'Botón de emergencia' },
  sourceStaff: { en: 'Staff', es: 'Personal' },
  printSentAt: { en: 'Sent at', es: 'Enviado el' },
  printAttempts: { en: 'Attempts', es: 'Intentos' },
  printBack: { en: 'Back to the patient', es: 'Volver al paciente' },
  dupTitle: {
    en: 'This patient may already be in your list',
    es: 'Puede que este paciente ya esté en su lista',
  },
  dupText: {
    en: 'Same name and the same phone or e-mail as the patients below. Use the existing patient, or confirm that this is a different person.',
    es: 'Mismo nombre y mismo teléfono o correo que los pacientes de abajo. Use el paciente existente o confirme que es otra persona.',
  },
  dupUse: { en: 'Use {name} (added {when})', es: 'Usar a {name} (alta {when})' },
  dupConfirm: {
    en: 'This is a different person: add them as new',
    es: 'Es otra persona: darla de alta como nueva',
  },
} as const satisfies Catalogue<string>;

export type PeopleMessageKey = keyof typeof MESSAGES;

/** A string of the people/tokens/retention parts of the clinic page, in `locale`. */
export function tpeople(
  locale: Locale,
  key: PeopleMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(MESSAGES[key][locale], values);
}
