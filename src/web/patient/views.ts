import type { Aftercare } from '../../clinical/aftercare.ts';
import { BODY_REGION_NAMES, findMuscle } from '../../clinical/muscles.ts';
import { DISPOSITION_TEXT } from '../../clinical/render.ts';
import { SYMPTOM_GROUP_NAMES, SYMPTOM_GROUPS, SYMPTOMS } from '../../clinical/symptoms.ts';
import type { Disposition, Locale, Side, SymptomCode } from '../../clinical/types.ts';
import { LOCALES } from '../../clinical/types.ts';
import { fill } from '../../i18n/catalogue.ts';
import type { ChartPoint } from '../shared/chart.ts';
import { chartLegend, sorenessChart } from '../shared/chart.ts';
import { escapeHtml, html, raw, SafeHtml } from '../shared/html.ts';
import type { PatientMessageKey } from './messages.ts';
import { PATIENT_MESSAGES } from './messages.ts';

export interface ClinicView {
  readonly name: string;
  readonly emergencyNumber: string;
  readonly contactPhone: string;
}

export interface PageContext {
  readonly locale: Locale;
  /** `/p/<token>`: every link and form of the pages is relative to it. */
  readonly base: string;
  readonly clinic: ClinicView;
  /** Path of the current page, for the language switcher. */
  readonly path: string;
}

export function t(
  locale: Locale,
  key: PatientMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(PATIENT_MESSAGES[key][locale], values);
}

function telHref(number: string): string {
  return `tel:${number.replace(/[^\d+]/g, '')}`;
}

/** A phone number as a link the phone can call. */
export function telLink(number: string): SafeHtml {
  return html`<a class="tel" href="${telHref(number)}">${number}</a>`;
}

/** `t` whose values may be markup (a `tel:` link); the message's own text is escaped. */
export function tHtml(
  locale: Locale,
  key: PatientMessageKey,
  values: Readonly<Record<string, string | number | SafeHtml>>,
): SafeHtml {
  const parts = PATIENT_MESSAGES[key][locale].split(/(\{\w+\})/);
  return raw(
    parts
      .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        const value = name === undefined ? undefined : values[name];
        if (value === undefined) return escapeHtml(part);
        return value instanceof SafeHtml ? value.value : escapeHtml(String(value));
      })
      .join(''),
  );
}

export function layout(
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  /** Where the emergency box goes: first (default), after the page's own content, or nowhere. */
  options: {
    emergencyBox?: 'top' | 'bottom' | 'none';
    bodyClass?: string;
    /** False when the page says how to reach the clinic itself (the handout). */
    footer?: boolean;
  } = {},
): string {
  const L = ctx.locale;
  const page = html`<!doctype html>
<html lang="${L}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title} · ${t(L, 'siteName')}</title>
<link rel="stylesheet" href="/assets/patient.css">
</head>
<body${options.bodyClass === undefined ? '' : html` class="${options.bodyClass}"`}>
<a class="skip" href="#main">${t(L, 'skipToMain')}</a>
<header class="top">
<span class="brand">${ctx.clinic.name}</span>
<nav class="lang" aria-label="${t(L, 'switchLanguage')}">${LOCALES.filter((l) => l !== L).map(
    (l) =>
      html`<a href="${ctx.path}?lang=${l}" lang="${l}" hreflang="${l}">${PATIENT_MESSAGES.langName[l]}</a>`,
  )}</nav>
</header>
<main id="main">
${(options.emergencyBox ?? 'top') === 'top' ? emergencyBox(ctx) : ''}
${body}
${options.emergencyBox === 'bottom' ? emergencyBox(ctx) : ''}
</main>
${options.footer === false ? '' : html`<footer><p>${tHtml(L, 'contactClinic', { clinic: ctx.clinic.name, phone: telLink(ctx.clinic.contactPhone) })}</p></footer>`}
</body>
</html>`;
  return page.value;
}

export function emergencyBox(ctx: PageContext): SafeHtml {
  const L = ctx.locale;
  return html`<section class="emergency" aria-labelledby="emergency-title">
<h2 id="emergency-title">${t(L, 'emergencyTitle')}</h2>
<p>${t(L, 'emergencyLead')}</p>
<div class="actions">
<a class="btn danger" href="${telHref(ctx.clinic.emergencyNumber)}">${t(L, 'callEmergency', { number: ctx.clinic.emergencyNumber })}</a>
<form method="post" action="${ctx.base}/emergency"><input type="hidden" name="lang" value="${L}"><button class="btn danger-outline" type="submit">${t(L, 'emergencyButton')}</button></form>
</div>
</section>`;
}

export interface SiteView {
  readonly muscle: string;
  readonly side?: Side | undefined;
}

function sideText(L: Locale, side: Side | undefined): string {
  if (side === undefined) return '';
  const key = ({ left: 'sideLeft', right: 'sideRight', midline: 'sideMidline' } as const)[side];
  return ` (${t(L, key)})`;
}

/** Muscles by their everyday names, grouped by body region. */
export function sitesList(L: Locale, sites: readonly SiteView[]): SafeHtml {
  return html`<ul>${sites.map((site) => {
    const muscle = findMuscle(site.muscle);
    if (muscle === undefined) return html`<li>${site.muscle}</li>`;
    return html`<li>${capitalise(muscle.everyday[L])}${sideText(L, site.side)} <span class="evidence">${muscle.name[L]} · ${BODY_REGION_NAMES[muscle.region][L]}</span></li>`;
  })}</ul>`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface SessionPageView {
  readonly performedAtText: string;
  readonly sites: readonly SiteView[];
  readonly aftercare: Aftercare;
  readonly points: readonly ChartPoint[];
  readonly nextCheckInText: string | undefined;
  /** The latest answer (or open alert) asks for action: the page opens with what to do. */
  readonly actionNeeded?: Disposition | undefined;
}

/** The top of the care page after an urgent or emergency answer: what to do, first. */
function actionBox(ctx: PageContext, d: Disposition): SafeHtml {
  const L = ctx.locale;
  const title =
    d === 'emergency'
      ? t(L, 'emergencyNowTitle', { number: ctx.clinic.emergencyNumber })
      : DISPOSITION_TEXT[d].title[L];
  return html`<section class="answer ${d}" aria-labelledby="action-title">
<p class="kicker">${t(L, 'attentionTitle')}</p>
<h2 id="action-title">${title}</h2>
${firstStep(ctx, d)}
</section>`;
}

export function sessionPage(ctx: PageContext, view: SessionPageView): string {
  const L = ctx.locale;
  const a = view.aftercare;
  const warning = a.items.find((i) => i.id === 'breathing_warning');
  const advice = a.items.filter((i) => i.id !== 'breathing_warning');
  const pointsText =
    view.points.length === 0
      ? t(L, 'chartNoPoints')
      : view.points
          .map((p) =>
            p.soreness === null
              ? t(L, 'chartPointNoNumber', { hours: Math.round(p.hoursAfter) })
              : t(L, 'chartPoint', { soreness: p.soreness, hours: Math.round(p.hoursAfter) }),
          )
          .join('; ');
  const body = html`<h1>${t(L, 'sessionTitle')}</h1>
${view.actionNeeded === undefined ? '' : actionBox(ctx, view.actionNeeded)}
${warning === undefined ? '' : html`<p class="warning" role="note">${warning.text}</p>`}
<p><a class="btn" href="${ctx.base}/check-in">${t(L, 'checkInNow')}</a></p>
<p>${view.nextCheckInText === undefined ? t(L, 'noMoreCheckIns') : t(L, 'nextCheckIn', { when: view.nextCheckInText })}</p>
<h2>${t(L, 'whatIsNormal')}</h2>
<p>${a.phaseText}</p>
<p>${a.expectedBand.max === 0 ? t(L, 'expectedNone') : t(L, 'expectedBand', { min: a.expectedBand.min, max: a.expectedBand.max })}</p>
<h2>${t(L, 'yourCurve')}</h2>
${sorenessChart(
  view.points,
  {
    title: t(L, 'yourCurve'),
    description: t(L, 'chartDescription', { points: pointsText }),
    hours: t(L, 'chartHours'),
    soreness: t(L, 'chartSoreness'),
  },
  a.hoursAfter,
  'phone',
)}
${chartLegend(
  {
    expected: t(L, 'legendExpected'),
    tolerated: t(L, 'legendTolerated'),
    yours: t(L, 'legendYours'),
    noNumber: t(L, 'legendNoNumber'),
  },
  view.points.some((p) => p.soreness === null),
)}
<h2>${t(L, 'adviceTitle')}</h2>
<ul class="advice">${advice.map((item) => html`<li>${item.text}<span class="evidence">${item.evidenceText}</span></li>`)}</ul>
<h2>${t(L, 'whatWasDone')}</h2>
<p>${t(L, 'sessionOn', { when: view.performedAtText, clinic: ctx.clinic.name })}</p>
${sitesList(L, view.sites)}
${a.thoracic ? html`<p>${t(L, 'nearChest')}</p>` : ''}
<p class="no-print"><a href="${ctx.base}/handout">${t(L, 'printHandout')}</a></p>`;
  // After an urgent or emergency answer the page opens with what to do; the emergency box
  // (with its button) follows the page instead of preceding it.
  return layout(ctx, t(L, 'sessionTitle'), body, {
    emergencyBox: view.actionNeeded === undefined ? 'top' : 'bottom',
  });
}

export interface CheckInFormView {
  readonly idempotencyKey: string;
  readonly thoracic: boolean;
  readonly errors?: readonly string[];
  readonly values?: {
    readonly soreness?: number;
    readonly symptoms?: readonly string[];
    readonly note?: string;
  };
}

function sorenessBandLabel(L: Locale, n: number): string {
  if (n === 0) return t(L, 'sorenessNone');
  if (n <= 3) return t(L, 'sorenessMild');
  if (n <= 6) return t(L, 'sorenessModerate');
  return t(L, 'sorenessSevere');
}

export function checkInPage(ctx: PageContext, view: CheckInFormView): string {
  const L = ctx.locale;
  const checked = new Set(view.values?.symptoms ?? []);
  const errors = view.errors ?? [];
  const body = html`<h1>${t(L, 'checkInTitle')}</h1>
<p>${t(L, 'checkInIntro')}</p>
${errors.length === 0 ? '' : html`<div class="errors" role="alert" id="form-errors"><p>${t(L, 'formErrors')}</p><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>`}
<form method="post" action="${ctx.base}/check-in" autocomplete="off">
<input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
<input type="hidden" name="lang" value="${L}">
<fieldset>
<legend>${t(L, 'sorenessQuestion')}</legend>
<p class="hint">${t(L, 'sorenessOptionalHint')}</p>
<div class="scale">${Array.from({ length: 11 }, (_, n) => html`<label><input type="radio" name="soreness" value="${n}"${view.values?.soreness === n ? raw(' checked') : ''}><span>${n}</span> <span class="band">${sorenessBandLabel(L, n)}</span></label>`)}</div>
</fieldset>
<p>${t(L, 'symptomsQuestion')}</p>
${SYMPTOM_GROUPS.map((group) => {
  const items = SYMPTOMS.filter((s) => s.group === group);
  return html`<fieldset><legend>${SYMPTOM_GROUP_NAMES[group][L]}</legend>${items.map(
    (s) =>
      html`<div class="check"><input type="checkbox" id="s-${s.code}" name="symptoms" value="${s.code}"${checked.has(s.code) ? raw(' checked') : ''}><label for="s-${s.code}">${s.label[L]}</label></div>`,
  )}</fieldset>`;
})}
<label for="note">${t(L, 'noteLabel')}</label>
<textarea id="note" name="note" maxlength="1000">${view.values?.note ?? ''}</textarea>
<p><button class="btn" type="submit">${t(L, 'submit')}</button></p>
</form>`;
  return layout(ctx, t(L, 'checkInTitle'), body);
}

/** Whether someone at the clinic is there to read an answer, as the patient is told. */
export type ClinicPresence =
  | { readonly kind: 'open' }
  | { readonly kind: 'closed'; readonly opensText: string | undefined }
  /** No staffed hours configured: no promise of when anyone reads it. */
  | { readonly kind: 'unknown' };

export interface AnswerView {
  readonly disposition: Disposition;
  readonly reasons: readonly string[];
  readonly nextCheckInText: string | undefined;
  /** An earlier urgent or emergency answer in this episode that nobody has acknowledged yet. */
  readonly earlierUnacknowledged?: Disposition | undefined;
  readonly presence: ClinicPresence;
  /** The clinic's out-of-hours phone, if it gave one. */
  readonly afterHoursPhone: string | null;
  /** The aftercare advice, for an answer that points to it ("the advice below"). */
  readonly advice: readonly { readonly text: string; readonly evidenceText: string }[];
}

/** What the patient does first for an answer above self-care (before anything else is said). */
function firstStep(ctx: PageContext, d: Disposition): SafeHtml {
  const L = ctx.locale;
  const n = ctx.clinic.emergencyNumber;
  const phone = telLink(ctx.clinic.contactPhone);
  switch (d) {
    case 'emergency':
      return html`<p><a class="btn danger" href="${telHref(n)}">${t(L, 'callEmergency', { number: n })}</a></p>
<p><strong>${t(L, 'emergencySteps3')}</strong></p>`;
    case 'urgent_same_day':
      return html`<p><strong>${tHtml(L, 'urgentFirst', { clinic: ctx.clinic.name, phone })}</strong></p>`;
    case 'contact_practitioner':
      return html`<p><strong>${tHtml(L, 'contactFirst', { clinic: ctx.clinic.name, phone })}</strong></p>`;
    case 'self_care':
      return html``;
  }
}

/** Who has been told, when they will see it, and what to do meanwhile — one paragraph. */
function toldNotice(ctx: PageContext, view: AnswerView, d: Disposition): SafeHtml {
  const L = ctx.locale;
  const clinic = ctx.clinic.name;
  const p = view.presence;
  const told =
    p.kind === 'open'
      ? t(L, 'toldOpen', { clinic })
      : p.kind === 'unknown'
        ? t(L, 'toldNoHours', { clinic })
        : p.opensText === undefined
          ? t(L, 'toldClosedNoTime', { clinic })
          : t(L, 'toldClosed', { clinic, when: p.opensText });
  if (p.kind === 'open') return html`<p class="note">${told}</p>`;
  const meanwhile =
    d !== 'emergency' && p.kind === 'unknown'
      ? html`${t(L, 'meanwhileUnknown')}`
      : d === 'emergency'
        ? html`${t(L, 'meanwhileEmergency', { number: ctx.clinic.emergencyNumber })}`
        : d === 'urgent_same_day'
          ? view.afterHoursPhone === null
            ? html`${t(L, 'meanwhileUrgent')}`
            : tHtml(L, 'meanwhileUrgentPhone', { phone: telLink(view.afterHoursPhone) })
          : html`${t(L, 'meanwhileContact')}`;
  return html`<p class="note">${told} ${meanwhile}</p>`;
}

function adviceList(view: AnswerView): SafeHtml {
  return html`<ul class="advice">${view.advice.map((item) => html`<li>${item.text}<span class="evidence">${item.evidenceText}</span></li>`)}</ul>`;
}

export function answerPage(ctx: PageContext, view: AnswerView): string {
  const L = ctx.locale;
  const earlier = view.earlierUnacknowledged;
  const why = html`<h2>${t(L, 'whyTitle')}</h2>
<ul>${view.reasons.map((r) => html`<li>${r}</li>`)}</ul>`;
  const next =
    view.nextCheckInText === undefined
      ? t(L, 'noMoreCheckIns')
      : t(L, 'nextCheckIn', { when: view.nextCheckInText });
  const back = html`<p><a href="${ctx.base}">${t(L, 'backToSession')}</a></p>`;
  let body: SafeHtml;
  if (earlier !== undefined) {
    // A lower answer after an earlier urgent or emergency one nobody has answered: one message
    // saying both, led by what still has to be done. Only a self-care answer is called
    // expected; one above self-care says what it needs too, and after an emergency its own
    // first step follows the call (phoning the clinic today is not the emergency number).
    const e = DISPOSITION_TEXT[earlier];
    const calm = view.disposition === 'self_care';
    const own =
      calm || earlier !== 'emergency'
        ? html``
        : view.disposition === 'urgent_same_day'
          ? html`<p><strong>${tHtml(L, 'urgentAlso', { clinic: ctx.clinic.name, phone: telLink(ctx.clinic.contactPhone) })}</strong></p>`
          : firstStep(ctx, view.disposition);
    body = html`<section class="answer followup" aria-labelledby="answer-title">
<h1 id="answer-title">${t(L, calm ? 'calmAfterEarlierTitle' : 'alsoAfterEarlierTitle')}</h1>
<p>${
      calm
        ? t(L, 'calmAfterEarlier', { earlier: `${e.title[L]}.` })
        : t(L, 'alsoAfterEarlier', {
            earlier: `${e.title[L]}.`,
            current: `${DISPOSITION_TEXT[view.disposition].title[L]}.`,
          })
    }</p>
${firstStep(ctx, earlier)}
${own}
${toldNotice(ctx, view, earlier)}
</section>
${why}
<h2>${t(L, 'adviceTitle')}</h2>
${adviceList(view)}
<p>${next}</p>
${back}`;
  } else if (view.disposition === 'emergency') {
    // The emergency answer says one thing: call now. No next check-in.
    body = html`<section class="answer emergency" aria-labelledby="answer-title">
<h1 id="answer-title">${t(L, 'emergencyNowTitle', { number: ctx.clinic.emergencyNumber })}</h1>
${firstStep(ctx, 'emergency')}
<p>${t(L, 'emergencyRecorded')}</p>
</section>
${why}
${back}`;
  } else {
    const d = DISPOSITION_TEXT[view.disposition];
    body = html`<section class="answer ${view.disposition}" aria-labelledby="answer-title">
<h1 id="answer-title">${d.title[L]}</h1>
${view.disposition === 'self_care' ? html`<p><strong>${d.action[L]}</strong></p>` : firstStep(ctx, view.disposition)}
${view.disposition === 'self_care' ? '' : toldNotice(ctx, view, view.disposition)}
</section>
${why}
<h2>${t(L, 'adviceTitle')}</h2>
${adviceList(view)}
<p>${next}</p>
${back}`;
  }
  return layout(ctx, t(L, 'answerTitle'), body, {
    // The answer comes first; the emergency box follows it (an emergency answer is the box).
    emergencyBox: view.disposition === 'emergency' || earlier === 'emergency' ? 'none' : 'bottom',
  });
}

export function emergencyPage(
  ctx: PageContext,
  view: { readonly sessionWhenText: string; readonly reasons: readonly string[] },
): string {
  const L = ctx.locale;
  const n = ctx.clinic.emergencyNumber;
  const body = html`<section class="answer emergency" aria-labelledby="answer-title">
<h1 id="answer-title">${t(L, 'emergencyNowTitle', { number: n })}</h1>
<p><a class="btn danger" href="${telHref(n)}">${t(L, 'callEmergency', { number: n })}</a></p>
<ol>
<li>${t(L, 'emergencySteps1', { number: n, when: view.sessionWhenText })}</li>
<li>${t(L, 'emergencySteps2')}</li>
<li>${t(L, 'emergencySteps3')}</li>
</ol>
<p>${t(L, 'emergencyRecorded')}</p>
</section>
<h2>${t(L, 'whyTitle')}</h2>
<ul>${view.reasons.map((r) => html`<li>${r}</li>`)}</ul>
<p><a href="${ctx.base}">${t(L, 'backToSession')}</a></p>`;
  return layout(ctx, t(L, 'emergencyNowTitle', { number: n }), body, { emergencyBox: 'none' });
}

export function handoutPage(
  ctx: PageContext,
  view: {
    readonly qrSvg: string;
    readonly linkUrl: string;
    readonly aftercare: Aftercare;
    readonly performedAtText: string;
    readonly sites: readonly SiteView[];
    /** Every planned check-in, as a date inside a sentence. */
    readonly checkInTimes: readonly string[];
  },
): string {
  const L = ctx.locale;
  const emergencyCodes: SymptomCode[] = ['chest_pain', 'shortness_of_breath', 'pain_on_breathing'];
  const sameDay = SYMPTOMS.filter(
    (s) => s.group === 'needle_sites' || s.group === 'whole_body' || s.group === 'nerves',
  );
  const n = ctx.clinic.emergencyNumber;
  const body = html`<div class="handout">
<h1>${t(L, 'handoutTitle')}</h1>
<p>${t(L, 'sessionOn', { when: view.performedAtText, clinic: ctx.clinic.name })}</p>
${sitesList(L, view.sites)}
<section class="emergency" aria-labelledby="handout-red-flags">
<h2 id="handout-red-flags">${tHtml(L, 'handoutRedFlags', { number: html`<a href="${telHref(n)}">${n}</a>` })}</h2>
<ul>${SYMPTOMS.filter((s) => emergencyCodes.includes(s.code)).map((s) => html`<li>${s.label[L]}</li>`)}</ul>
</section>
<div class="columns">
<div>
<div class="qr"><p>${t(L, 'handoutScan')}</p>${raw(view.qrSvg)}<p><a href="${view.linkUrl}">${view.linkUrl}</a></p></div>
<h2>${t(L, 'handoutCheckIns')}</h2>
<ol class="check-in-times">${view.checkInTimes.map((when) => html`<li>${when}</li>`)}</ol>
</div>
<div>
<h2>${t(L, 'handoutSameDay')}</h2>
<ul>${sameDay.map((s) => html`<li>${s.label[L]}</li>`)}</ul>
</div>
</div>
<h2>${t(L, 'adviceTitle')}</h2>
<ul class="advice">${view.aftercare.items.map((item) => html`<li>${item.text}</li>`)}</ul>
<p>${tHtml(L, 'contactClinic', { clinic: ctx.clinic.name, phone: telLink(ctx.clinic.contactPhone) })}</p>
</div>`;
  return layout(ctx, t(L, 'handoutTitle'), body, {
    emergencyBox: 'none',
    bodyClass: 'handout-page',
    footer: false,
  });
}

/** The stop link of the reminders: a question with one button (GET), then "done" (POST). */
export function stopRemindersPage(ctx: PageContext, view: { readonly stopped: boolean }): string {
  const L = ctx.locale;
  const body = view.stopped
    ? html`<h1>${t(L, 'stopTitle')}</h1>
<p>${t(L, 'stopDone')}</p>
<p><a href="${ctx.base}">${t(L, 'openYourPage')}</a></p>`
    : html`<h1>${t(L, 'stopTitle')}</h1>
<p>${t(L, 'stopAsk')}</p>
<form method="post"><input type="hidden" name="lang" value="${L}"><button class="btn" type="submit">${t(L, 'stopButton')}</button></form>`;
  return layout(ctx, t(L, 'stopTitle'), body, { emergencyBox: 'bottom' });
}

export function linkGonePage(
  locale: Locale,
  clinic:
    | { readonly name: string; readonly contactPhone: string; readonly emergencyNumber: string }
    | undefined,
  /** The number to call when no clinic is known (from the phone's region; decision 1203). */
  fallbackEmergencyNumber: string,
): string {
  const L = locale;
  const n = clinic?.emergencyNumber ?? fallbackEmergencyNumber;
  return `<!doctype html>
<html lang="${L}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<title>${html`${t(L, 'linkGoneTitle')}`.value}</title><link rel="stylesheet" href="/assets/patient.css"></head>
<body><main id="main">${
    html`<h1>${t(L, 'linkGoneTitle')}</h1>
<section class="emergency" aria-labelledby="emergency-title">
<h2 id="emergency-title">${t(L, 'emergencyTitle')}</h2>
<p>${t(L, 'linkGoneEmergency', { number: n })}</p>
<p><a class="btn danger" href="${telHref(n)}">${t(L, 'callEmergency', { number: n })}</a></p>
</section>
<p>${t(L, 'linkGoneBody')}</p>
<p>${clinic === undefined ? t(L, 'linkUnknownContact') : tHtml(L, 'linkGoneContact', { clinic: clinic.name, phone: telLink(clinic.contactPhone) })}</p>`
      .value
  }</main></body></html>`;
}
