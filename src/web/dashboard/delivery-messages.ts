import type { Locale } from '../../clinical/types.ts';
import type { Catalogue } from '../../i18n/catalogue.ts';

type Key =
  | 'nav'
  | 'title'
  | 'lead'
  | 'none'
  | 'what'
  | 'why'
  | 'attempts'
  | 'when'
  | 'requeue'
  | 'requeueAll'
  | 'requeued'
  | 'shown'
  | 'unavailableTitle'
  | 'unavailableText'
  | 'streamDown'
  | 'tryAgain'
  | 'failingTitle'
  | 'failingLead'
  | 'deadTitle'
  | 'nextTry';

/** Texts of the delivery-problems page and of the database-away states (issue 16). */
export const DELIVERY_TEXT: Catalogue<Key> = {
  nav: { en: 'Undelivered ({count})', es: 'No entregados ({count})' },
  title: { en: 'Messages that could not be delivered', es: 'Mensajes que no se pudieron entregar' },
  lead: {
    en: 'These e-mails, text messages and webhooks gave up after repeated tries. Fix the cause (the reason says which server failed), then send them again.',
    es: 'Estos correos, SMS y webhooks se abandonaron tras varios intentos. Corrija la causa (el motivo indica qué servidor falló) y vuelva a enviarlos.',
  },
  none: {
    en: 'No message has given up: there is nothing to send again.',
    es: 'Ningún mensaje se ha abandonado: no hay nada que volver a enviar.',
  },
  failingTitle: {
    en: 'Failing now, still being tried ({count})',
    es: 'Fallan ahora, se siguen intentando ({count})',
  },
  failingLead: {
    en: 'These have not been delivered yet: each try so far failed for the reason shown. They are tried again by themselves; fix the cause and they go out at the next try. If they keep failing they move to the list below.',
    es: 'Estos aún no se han entregado: cada intento ha fallado por el motivo indicado. Se vuelven a intentar solos; corrija la causa y saldrán en el próximo intento. Si siguen fallando pasarán a la lista de abajo.',
  },
  deadTitle: { en: 'Gave up ({count})', es: 'Abandonados ({count})' },
  nextTry: { en: 'Next try', es: 'Próximo intento' },
  what: { en: 'What', es: 'Qué' },
  why: { en: 'Why it failed', es: 'Por qué falló' },
  attempts: { en: 'Attempts', es: 'Intentos' },
  when: { en: 'Last attempt', es: 'Último intento' },
  requeue: { en: 'Send again', es: 'Volver a enviar' },
  requeueAll: { en: 'Send all again', es: 'Volver a enviar todos' },
  requeued: {
    en: '{count} message(s) queued again.',
    es: '{count} mensaje(s) en cola de nuevo.',
  },
  shown: { en: 'Showing {shown} of {total}.', es: 'Se muestran {shown} de {total}.' },
  unavailableTitle: {
    en: 'The database is not answering',
    es: 'La base de datos no responde',
  },
  unavailableText: {
    en: 'Needlecare cannot reach its database right now. Nothing you saved is lost. This page will work again as soon as the database is back; try again in a few seconds.',
    es: 'Needlecare no puede acceder a su base de datos ahora mismo. No se ha perdido nada de lo guardado. Esta página volverá a funcionar en cuanto vuelva la base de datos; inténtelo de nuevo en unos segundos.',
  },
  tryAgain: { en: 'Try again', es: 'Volver a intentar' },
  streamDown: {
    en: 'Live updates paused: the database is not answering. Retrying…',
    es: 'Actualizaciones en directo en pausa: la base de datos no responde. Reintentando…',
  },
};

export function dt(locale: Locale, key: Key, values: Record<string, string | number> = {}): string {
  return DELIVERY_TEXT[key][locale].replace(/\{(\w+)\}/g, (_m, name: string) =>
    String(values[name] ?? ''),
  );
}
