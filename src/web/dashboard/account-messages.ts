import type { Locale } from '../../clinical/types.ts';
import { fill } from '../../i18n/catalogue.ts';

/**
 * The words of the first-run setup, forgot-password and own-account pages (issue 11), English
 * and Spanish, kept beside the main catalogue.
 */
const MESSAGES = {
  // First-run setup
  setupTitle: { en: 'Set up your clinic', es: 'Configure su clínica' },
  setupLead: {
    en: 'This server has no clinic yet. Create the first one and your own admin account. This link works once.',
    es: 'Este servidor aún no tiene ninguna clínica. Cree la primera y su propia cuenta de administración. Este enlace sirve una sola vez.',
  },
  setupClinicLegend: { en: 'The clinic', es: 'La clínica' },
  setupAdminLegend: { en: 'You, the clinic’s admin', es: 'Usted, quien administra la clínica' },
  setupClinicName: { en: 'Clinic name', es: 'Nombre de la clínica' },
  setupTimeZone: { en: 'Time zone', es: 'Zona horaria' },
  setupTimeZoneHelp: {
    en: 'Where the clinic is: check-in times and opening hours use it.',
    es: 'Donde está la clínica: las horas de los controles y el horario la usan.',
  },
  setupChoose: { en: 'Choose…', es: 'Elija…' },
  setupCountry: { en: 'Country code', es: 'Código de país' },
  setupCountryHelp: {
    en: 'Two letters, such as ES, GB or US. It sets the emergency number patients are told to call; you can change that later.',
    es: 'Dos letras, como ES, GB o US. Fija el número de emergencias que se indica a los pacientes; puede cambiarlo después.',
  },
  setupLanguage: { en: 'Clinic language', es: 'Idioma de la clínica' },
  setupPhone: { en: 'Clinic phone for patients', es: 'Teléfono de la clínica para pacientes' },
  setupPhoneHelp: {
    en: 'Patients whose answer needs the clinic are told to call this number.',
    es: 'A los pacientes cuya respuesta requiere a la clínica se les pide llamar a este número.',
  },
  setupYourName: { en: 'Your name', es: 'Su nombre' },
  setupYourEmail: { en: 'Your e-mail address', es: 'Su correo electrónico' },
  setupButton: { en: 'Create the clinic and sign in', es: 'Crear la clínica y entrar' },
  setupGoneTitle: {
    en: 'This setup link no longer works',
    es: 'Este enlace de configuración ya no sirve',
  },
  setupGoneText: {
    en: 'It was used, it expired, or this server already has a clinic. Sign in, or restart the server for a new link if no clinic was made.',
    es: 'Ya se usó, caducó o este servidor ya tiene una clínica. Inicie sesión o, si no se creó ninguna clínica, reinicie el servidor para obtener un enlace nuevo.',
  },
  errName: {
    en: 'Give the clinic’s name (up to 200 characters).',
    es: 'Indique el nombre de la clínica (hasta 200 caracteres).',
  },
  errTimeZone: { en: 'Choose the clinic’s time zone.', es: 'Elija la zona horaria de la clínica.' },
  errCountry: {
    en: 'Type the country’s two-letter code, such as ES or GB.',
    es: 'Escriba el código de país de dos letras, como ES o GB.',
  },
  errLanguage: { en: 'Choose a language.', es: 'Elija un idioma.' },
  errPhone: {
    en: 'Give the phone number patients should call, such as +34 600 000 000.',
    es: 'Indique el teléfono al que deben llamar los pacientes, como +34 600 000 000.',
  },
  errYourName: {
    en: 'Give your name (up to 200 characters).',
    es: 'Indique su nombre (hasta 200 caracteres).',
  },
  errEmail: { en: 'Type a valid e-mail address.', es: 'Escriba un correo electrónico válido.' },
  // Forgot password
  forgotLink: { en: 'Forgot your password?', es: '¿Ha olvidado su contraseña?' },
  forgotTitle: { en: 'Forgot your password?', es: '¿Ha olvidado su contraseña?' },
  forgotLead: {
    en: 'Type the e-mail address you sign in with. If it belongs to an account, we send it a link to choose a new password. The link works once, for one hour.',
    es: 'Escriba el correo con el que entra. Si corresponde a una cuenta, le enviaremos un enlace para elegir una contraseña nueva. El enlace sirve una vez, durante una hora.',
  },
  forgotButton: { en: 'Send me a link', es: 'Envíenme un enlace' },
  forgotSent: {
    en: 'If {email} belongs to an account, a link to choose a new password is on its way. Check your inbox (and spam folder) in a few minutes. Choosing a new password signs you out everywhere.',
    es: 'Si {email} corresponde a una cuenta, le llegará un enlace para elegir una contraseña nueva. Mire su bandeja de entrada (y el correo no deseado) en unos minutos. Al elegir una contraseña nueva se cierran todas sus sesiones.',
  },
  forgotTooMany: {
    en: 'Too many requests from here. Try again in {minutes} minutes.',
    es: 'Demasiadas solicitudes desde aquí. Vuelva a intentarlo dentro de {minutes} minutos.',
  },
  backToSignIn: { en: 'Back to sign in', es: 'Volver a iniciar sesión' },
  // Own account
  navAccount: { en: 'My account', es: 'Mi cuenta' },
  accountTitle: { en: 'My account', es: 'Mi cuenta' },
  accountDetails: { en: 'Name and language', es: 'Nombre e idioma' },
  accountName: { en: 'Your name', es: 'Su nombre' },
  accountLanguage: { en: 'Your language', es: 'Su idioma' },
  accountLanguageHelp: {
    en: 'The dashboard and the e-mails we send you use it.',
    es: 'El panel y los correos que le enviamos lo usan.',
  },
  accountSave: { en: 'Save', es: 'Guardar' },
  accountSaved: { en: 'Saved.', es: 'Guardado.' },
  accountPassword: { en: 'Change your password', es: 'Cambiar la contraseña' },
  accountCurrentPassword: { en: 'Current password', es: 'Contraseña actual' },
  accountPasswordButton: { en: 'Change password', es: 'Cambiar la contraseña' },
  accountPasswordChanged: {
    en: 'Password changed. Your other sessions were signed out.',
    es: 'Contraseña cambiada. Se cerraron sus otras sesiones.',
  },
  accountCurrentWrong: {
    en: 'The current password is wrong.',
    es: 'La contraseña actual no es correcta.',
  },
  accountSignedInAs: {
    en: 'You sign in as {email} ({role}).',
    es: 'Entra como {email} ({role}).',
  },
  roleAdmin: { en: 'admin', es: 'administración' },
  rolePractitioner: { en: 'practitioner', es: 'fisioterapeuta' },
} as const;

export type AccountMessageKey = keyof typeof MESSAGES;

/** The message `key` in `locale`, `{name}` slots filled. */
export function ta(
  locale: Locale,
  key: AccountMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(MESSAGES[key][locale], values);
}
