import { expectedBandAt, PHASE_TEXT, phaseAt } from './course.ts';
import { isThoracicSession } from './muscles.ts';
import { formatInstant, weekdayAndTime } from './time-zone.ts';
import type { Locale, Phase, Site, SorenessBand, Text } from './types.ts';

/** How strong the support for a piece of advice is (RULES.md "Aftercare advice"). */
export type EvidenceLevel = 'guidance' | 'trial';

export interface AdviceItem {
  readonly id:
    | 'hydration'
    | 'gentle_walk'
    | 'avoid_intense_exercise'
    | 'heat'
    | 'breathing_warning'
    | 'usual_activity';
  readonly text: string;
  readonly evidence: EvidenceLevel;
  readonly evidenceText: string;
}

export interface Aftercare {
  readonly hoursAfter: number;
  readonly phase: Phase;
  readonly phaseText: string;
  readonly expectedBand: SorenessBand;
  /** End of the "avoid intense exercise" period, UTC ISO. */
  readonly avoidIntenseUntil: string;
  /** The same instant in the patient's words, e.g. "Thursday 15:00". */
  readonly avoidIntenseUntilText: string;
  readonly thoracic: boolean;
  /** The breathing warning is shown prominently for the first 48 h after thoracic needling. */
  readonly breathingWarning: boolean;
  readonly items: readonly AdviceItem[];
}

export interface AftercareContext {
  readonly now: string;
  readonly timeZone: string;
  readonly locale: Locale;
}

/** Intense exercise: the article says avoid it 24–48 h; we use the end of that range. */
export const AVOID_INTENSE_H = 48;
export const BREATHING_WARNING_H = 48;

const HOUR_MS = 3_600_000;

const GUIDANCE: Text = {
  en: 'From professional advice; no study has tested it for needling soreness.',
  es: 'Consejo profesional; ningún estudio lo ha comprobado para el dolor tras la punción.',
};

/**
 * Format an instant as weekday and 24-hour time in a time zone: "Thursday 15:00" / "jueves a las 15:00".
 * Pure: formats the instant it is given, never the current time.
 */
export function formatWeekdayTime(instant: string, timeZone: string, locale: Locale): string {
  const { weekday, time } = weekdayAndTime(instant, timeZone, intlTagOf(locale));
  return locale === 'es' ? `${weekday} a las ${time}` : `${weekday} ${time}`;
}

/** Format an instant as a full date and time in a time zone, in the patient's language. */
export function formatDateTime(instant: string, timeZone: string, locale: Locale): string {
  return formatInstant(instant, timeZone, intlTagOf(locale), 'weekday-date-time');
}

/**
 * An instant as it reads inside a sentence, preposition included: `on Tuesday 1 December at
 * 10:30`, `el martes 1 de diciembre a las 10:30` (`a la 1:05`, one o'clock being singular).
 */
export function dateInSentence(instant: string, timeZone: string, locale: Locale): string {
  const { weekday, time } = weekdayAndTime(instant, timeZone, intlTagOf(locale));
  const dayMonth = formatInstant(instant, timeZone, intlTagOf(locale), 'day-month');
  if (locale === 'es') {
    const [hour = '', minute = ''] = time.split(':');
    const at = Number(hour) === 1 ? `a la ${Number(hour)}:${minute}` : `a las ${time}`;
    return `el ${weekday} ${dayMonth} ${at}`;
  }
  return `on ${weekday} ${dayMonth} at ${time}`;
}

function intlTagOf(locale: Locale): string {
  return locale === 'es' ? 'es-ES' : 'en-GB';
}

/**
 * Aftercare advice for one session at one moment, with the patient's own dates and times in the
 * clinic's time zone and the patient's language.
 */
export function aftercareFor(
  session: { readonly performedAt: string; readonly sites: readonly Site[] },
  context: AftercareContext,
): Aftercare {
  const start = Date.parse(session.performedAt);
  const hoursAfter = Math.max(0, (Date.parse(context.now) - start) / HOUR_MS);
  const phase = phaseAt(hoursAfter);
  const thoracic = isThoracicSession(session.sites);
  const avoidIntenseUntil = new Date(start + AVOID_INTENSE_H * HOUR_MS).toISOString();
  const until = formatWeekdayTime(avoidIntenseUntil, context.timeZone, context.locale);
  const L = context.locale;
  const evidenceText = GUIDANCE[L];
  const items: AdviceItem[] = [];
  if (thoracic && hoursAfter < BREATHING_WARNING_H) {
    items.push({
      id: 'breathing_warning',
      evidence: 'guidance',
      evidenceText: {
        en: 'Published cases show this can start hours to about two days after needling.',
        es: 'Los casos publicados muestran que puede empezar entre unas horas y unos dos días después de la punción.',
      }[L],
      text: {
        en: 'You were needled near your chest. If you get chest pain, get out of breath, or have pain that is worse when you breathe in, call the emergency number now. Do not wait to see if it passes.',
        es: 'Le pusieron agujas cerca del tórax. Si nota dolor en el pecho, le falta el aire o tiene un dolor que aumenta al respirar, llame ahora al número de emergencias. No espere a ver si se pasa.',
      }[L],
    });
  }
  items.push({
    id: 'hydration',
    evidence: 'guidance',
    evidenceText,
    text: { en: 'Drink plenty of water today.', es: 'Beba mucha agua hoy.' }[L],
  });
  if (hoursAfter < AVOID_INTENSE_H) {
    items.push(
      {
        id: 'gentle_walk',
        evidence: 'guidance',
        evidenceText,
        text: {
          en: 'A gentle walk helps keep the muscles from stiffening.',
          es: 'Un paseo tranquilo ayuda a que los músculos no se queden rígidos.',
        }[L],
      },
      {
        id: 'avoid_intense_exercise',
        evidence: 'guidance',
        evidenceText,
        text: {
          en: `Avoid hard training or heavy lifting until ${until}.`,
          es: `Evite entrenar fuerte o cargar peso hasta el ${until}.`,
        }[L],
      },
    );
  } else {
    items.push({
      id: 'usual_activity',
      evidence: 'guidance',
      evidenceText,
      text: {
        en: 'You can go back to your usual exercise, building up as it feels comfortable.',
        es: 'Puede volver a su ejercicio habitual, aumentando poco a poco según se encuentre.',
      }[L],
    });
  }
  items.push({
    id: 'heat',
    evidence: 'guidance',
    evidenceText,
    text: {
      en: 'Gentle warmth, such as a warm compress or a short warm bath, may ease the ache.',
      es: 'Un calor suave, como una compresa tibia o un baño caliente corto, puede aliviar la molestia.',
    }[L],
  });
  return {
    hoursAfter,
    phase,
    phaseText: PHASE_TEXT[phase][L],
    expectedBand: expectedBandAt(hoursAfter),
    avoidIntenseUntil,
    avoidIntenseUntilText: until,
    thoracic,
    breathingWarning: thoracic && hoursAfter < BREATHING_WARNING_H,
    items,
  };
}
