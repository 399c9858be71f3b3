import type { Locale } from '../../clinical/types.ts';
import type { FieldIssue } from '../../services/errors.ts';

/**
 * A field problem from a service or a schema, in the words of the dashboard's page
 * (decision 0401). The services and the API speak English to programs: `must match pattern
 * "^[0-9+*#]{2,16}$"` is right for an API client and wrong for a receptionist, and English
 * inside a Spanish page is wrong for everyone. Each rule below recognises one message the
 * forms can meet and says it for a person, in English and in Spanish. A message no rule knows
 * is shown as the service wrote it; `service-words.test.ts` makes the real validators produce
 * the forms' messages (and lists those that need a database) and checks that a rule knows each.
 */
type Words = { readonly en: string; readonly es: string };
type Rule = readonly [RegExp, (m: RegExpExecArray, field: string) => Words];

const REQUIRED: Words = { en: 'is required', es: 'es obligatorio' };
const NOT_EMAIL: Words = { en: 'is not an e-mail address', es: 'no es una dirección de correo' };
const NOT_PHONE: Words = { en: 'is not a phone number', es: 'no es un número de teléfono' };
const NOT_IN_FORM: Words = {
  en: 'is not written the way this field needs',
  es: 'no está escrito como pide este campo',
};

/** A schema's `pattern`, said per field: nobody should be shown a regular expression. */
const PATTERN: Readonly<Record<string, Words>> = {
  emergencyNumber: {
    en: 'write the number as it is dialled: 2 to 16 digits (+, * and # allowed)',
    es: 'escriba el número tal como se marca: de 2 a 16 cifras (se admiten +, * y #)',
  },
  contactPhone: NOT_PHONE,
  phone: NOT_PHONE,
  afterHoursPhone: NOT_PHONE,
};

/** A figure as Spanish writes it: 0.5 → 0,5. */
function decimal(figure: string | undefined): string {
  return (figure ?? '').replace('.', ',');
}

/** The last name in a field path: `contacts[1].phone` → `phone`, `patient.email` → `email`. */
function leaf(field: string): string {
  return /([A-Za-z]+)$/.exec(field)?.[1] ?? field;
}

const RULES: readonly Rule[] = [
  // Ajv's own words (the JSON schemas every door shares).
  [/^must match format "email"$/, () => NOT_EMAIL],
  [/^must match pattern /, (_m, field) => PATTERN[leaf(field)] ?? NOT_IN_FORM],
  [/^must NOT have fewer than 1 characters$/, () => REQUIRED],
  [
    /^must (?:NOT have more than|be at most) (\d+) characters$/,
    (m) => ({
      en: `must be at most ${m[1]} characters`,
      es: `puede tener como mucho ${m[1]} caracteres`,
    }),
  ],
  [
    /^must NOT have fewer than 1 items$/,
    () => ({ en: 'choose at least one', es: 'elija al menos uno' }),
  ],
  [
    /^must NOT have duplicate items/,
    () => ({ en: 'lists the same choice twice', es: 'repite una opción' }),
  ],
  [
    /^must be <= (\S+)$/,
    (m) => ({ en: `must be at most ${m[1]}`, es: `puede ser como mucho ${decimal(m[1])}` }),
  ],
  [
    /^must be >= (\S+)$/,
    (m) => ({ en: `must be at least ${m[1]}`, es: `debe ser al menos ${decimal(m[1])}` }),
  ],
  [/^must be integer$/, () => ({ en: 'must be a whole number', es: 'debe ser un número entero' })],
  [/^must be number$/, () => ({ en: 'must be a number', es: 'debe ser un número' })],
  [/^(?:must be string|must be text)$/, () => ({ en: 'must be text', es: 'debe ser texto' })],
  [
    /^must be one of en, es$/,
    () => ({ en: 'choose English or Spanish', es: 'elija inglés o español' }),
  ],
  [
    /^must be one of admin, practitioner$|^must be admin or practitioner$/,
    () => ({
      en: 'choose admin or practitioner',
      es: 'elija administrador o fisioterapeuta',
    }),
  ],
  [
    /^must be one of (.+)$/,
    (m) => ({ en: `must be one of ${m[1]}`, es: `debe ser uno de estos: ${m[1]}` }),
  ],
  [/^(?:is )?required$/, () => REQUIRED],

  // A name or other line of text (src/services/text.ts, clean-text.ts).
  [
    /^must be on one line/,
    () => ({
      en: 'must be on one line (no line breaks)',
      es: 'debe ir en una sola línea (sin saltos de línea)',
    }),
  ],
  [
    /^must not contain control characters$/,
    () => ({
      en: 'must not contain control characters',
      es: 'no puede contener caracteres de control',
    }),
  ],
  [
    /^must not contain text-direction override characters/,
    () => ({
      en: 'must not contain characters that reverse the direction of the text',
      es: 'no puede contener caracteres que invierten la dirección del texto',
    }),
  ],
  [
    /^must not contain invisible characters$/,
    () => ({
      en: 'must not contain invisible characters',
      es: 'no puede contener caracteres invisibles',
    }),
  ],
  [
    /^must not be (?:empty or only spaces|blank)$/,
    () => ({
      en: 'must not be empty or only spaces',
      es: 'no puede estar vacío ni tener solo espacios',
    }),
  ],

  // Contact details.
  [/^(?:is not|not|must be) an e-mail address$/, () => NOT_EMAIL],
  [/^(?:is not|not|must be) a phone number$/, () => NOT_PHONE],
  [
    /^needs an e-?mail or a phone$/,
    () => ({ en: 'needs an e-mail or a phone', es: 'necesita un correo o un teléfono' }),
  ],
  [
    /^is already used by someone in your clinic$/,
    () => ({
      en: 'is already used by someone in your clinic',
      es: 'ya la usa otra persona de su clínica',
    }),
  ],

  // Clinic settings (src/services/clinic-settings.ts, src/clinical/checkin-plan.ts).
  [
    /^unknown time zone|^is not a known IANA time zone/,
    () => ({
      en: 'unknown time zone; use a name such as Europe/Madrid',
      es: 'zona horaria desconocida; use un nombre como Europe/Madrid',
    }),
  ],
  [
    /^must include the default language \((\w+)\)$/,
    (m) => ({
      en: `must include the default language (${m[1]})`,
      es: `debe incluir el idioma predeterminado (${m[1]})`,
    }),
  ],
  [
    /^must end after it starts$/,
    () => ({ en: 'must end after it starts', es: 'debe terminar después de empezar' }),
  ],
  [
    /^must be a list of 1 to (\d+) hours after the session$/,
    (m) => ({
      en: `give 1 to ${m[1]} hours after the session`,
      es: `indique de 1 a ${m[1]} horas después de la sesión`,
    }),
  ],
  [
    /^each hour must be a number from ([\d.]+) to (\d+)$/,
    (m) => ({
      en: `each hour must be a number from ${m[1]} to ${m[2]}`,
      es: `cada hora debe ser un número de ${decimal(m[1])} a ${m[2]}`,
    }),
  ],
  [/^hours must not repeat$/, () => ({ en: 'hours must not repeat', es: 'no repita horas' })],
  [
    /^a thoracic plan needs its first check-in within (\d+) hours of the session$/,
    (m) => ({
      en: `after needling near the chest, the first check-in must come within ${m[1]} hours of the session`,
      es: `tras una punción cerca del tórax, el primer seguimiento debe llegar en las ${m[1]} horas siguientes a la sesión`,
    }),
  ],

  // People (src/services/staff.ts).
  [
    /^last active admin$/,
    () => ({
      en: 'the clinic would be left without an active admin',
      es: 'la clínica se quedaría sin ningún administrador activo',
    }),
  ],

  // Recording a session (src/services/record-session.ts, src/clinical/case-schema.ts).
  [
    /^must not be in the future$/,
    () => ({ en: 'must not be in the future', es: 'no puede ser una fecha futura' }),
  ],
  [
    /^must be within the last (\d+) days$/,
    (m) => ({
      en: `must be within the last ${m[1]} days`,
      es: `debe estar dentro de los últimos ${m[1]} días`,
    }),
  ],
  [
    /^must be within the aftercare period \((\d+) days\)$/,
    (m) => ({
      en: `must be within the aftercare period (${m[1]} days)`,
      es: `debe estar dentro del periodo de seguimiento (${m[1]} días)`,
    }),
  ],
  [
    /^must be a whole number from 1 to (\d+)/,
    (m) => ({
      en: `must be a whole number from 1 to ${m[1]}`,
      es: `debe ser un número entero de 1 a ${m[1]}`,
    }),
  ],
  [
    /^repeats /,
    () => ({
      en: 'this muscle and side are listed twice; give each once, with its needle count',
      es: 'este músculo y lado aparecen dos veces; indique cada uno una vez, con su número de agujas',
    }),
  ],

  // Webhooks (src/services/webhook-settings.ts, job-settings.ts, public-address.ts).
  [
    /^must be an http\(s\) URL$/,
    () => ({
      en: 'must be a whole address, such as https://example.org/hook',
      es: 'debe ser una dirección completa, como https://example.org/hook',
    }),
  ],
  [
    /^must be a public address/,
    () => ({
      en: 'must be an address on the internet, not on this machine or a private network',
      es: 'debe ser una dirección de internet, no de esta máquina ni de una red privada',
    }),
  ],
  [
    /^must be a public host name/,
    () => ({
      en: 'must be a name on the internet, not localhost or a local-network name',
      es: 'debe ser un nombre de internet, no localhost ni un nombre de la red local',
    }),
  ],
  [
    /^the FHIR form carries patient data: use an https URL$/,
    () => ({
      en: 'the FHIR form carries patient data: use an https:// address',
      es: 'el formato FHIR lleva datos del paciente: use una dirección https://',
    }),
  ],
  [
    /^(?:required for a new endpoint \(at least|at least) (\d+) characters\)?$/,
    (m) => ({
      en: `at least ${m[1]} characters (required for a new endpoint)`,
      es: `al menos ${m[1]} caracteres (obligatorio para un destino nuevo)`,
    }),
  ],
  [
    /^1–40 letters, digits, - or _$/,
    () => ({ en: '1–40 letters, digits, - or _', es: 'de 1 a 40 letras, cifras, - o _' }),
  ],
  [/^(?:already exists|repeated)$/, () => ({ en: 'already exists', es: 'ya existe' })],
  [
    /^must be "native" or "fhir"$/,
    () => ({ en: 'must be "native" or "fhir"', es: 'debe ser «native» o «fhir»' }),
  ],
];

/** `issue.message` in the page's language, said for a person (the field is named by the caller). */
export function issueWords(L: Locale, issue: FieldIssue): string {
  for (const [test, words] of RULES) {
    const m = test.exec(issue.message);
    if (m !== null) return words(m, issue.field)[L];
  }
  return issue.message;
}

/** Whether a rule above knows the message (the tests hold the forms' messages to it). */
export function knowsIssue(message: string): boolean {
  return RULES.some(([test]) => test.test(message));
}
