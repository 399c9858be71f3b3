import type { Disposition, Locale } from '../clinical/types.ts';
import type { AlertSeverity } from '../store/alerts.repository.ts';

/**
 * One vocabulary (decision 1212): an alert is named by the triage level that raised it, so
 * staff read the same four names on alerts, check-ins, pages, e-mails and the API. The stored
 * `severity` (routine | urgent | emergency) stays as the queue's sort key and the API's
 * existing field; `level` is the disposition it stands for (RULES.md "Dispositions").
 */
export const LEVEL_OF_SEVERITY: Readonly<Record<AlertSeverity, Disposition>> = {
  routine: 'contact_practitioner',
  urgent: 'urgent_same_day',
  emergency: 'emergency',
};

/** The four level names staff read everywhere, in each dashboard language. */
export const LEVEL_NAMES: Readonly<Record<Disposition, Readonly<Record<Locale, string>>>> = {
  self_care: { en: 'Expected', es: 'Esperado' },
  contact_practitioner: { en: 'Tell practitioner', es: 'Avisar al fisioterapeuta' },
  urgent_same_day: { en: 'Contact today', es: 'Contactar hoy' },
  emergency: { en: 'Emergency', es: 'Emergencia' },
};
