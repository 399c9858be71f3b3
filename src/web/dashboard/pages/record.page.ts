import type { CheckInPlan } from '../../../clinical/checkin-plan.ts';
import {
  BODY_REGION_NAMES,
  BODY_REGIONS,
  type BodyRegion,
  MUSCLES,
  sidesFor,
} from '../../../clinical/muscles.ts';
import { LOCALES, type Side } from '../../../clinical/types.ts';
import type { Patient } from '../../../store/patients.repository.ts';
import { html, raw, type SafeHtml } from '../../shared/html.ts';
import {
  csrfField,
  errorList,
  type PageContext,
  page,
  thoracicBadge,
  warnIcon,
} from '../layout.ts';
import { DASHBOARD_MESSAGES, type DashboardMessageKey, tr } from '../messages.ts';
import { tpeople } from '../people-messages.ts';
import { formatInstant } from '../time.ts';

/** What the form shows, first empty, then as sent when it comes back with errors. */
export interface RecordFormState {
  readonly q: string;
  readonly found: readonly Patient[];
  /** A patient id, or `new` for quick add. */
  readonly patientChoice: string;
  readonly newPatient: {
    readonly displayName: string;
    readonly email: string;
    readonly phone: string;
    readonly language: string;
    /** Ticked: the patient gave neither phone nor e-mail, and the alerts will say so. */
    readonly noContact?: boolean;
  };
  /** `muscle:side` of every ticked box. */
  readonly sites: ReadonlySet<string>;
  readonly needles: Readonly<Record<string, string>>;
  readonly performedAt: string;
  readonly notes: string;
  /** Made when the form is first shown: a refresh or double submit records one session. */
  readonly recordKey: string;
}

export interface RecordView {
  readonly form: RecordFormState;
  readonly errors: readonly string[];
  readonly bilateral: boolean;
  readonly timeZone: string;
  /** Patients who look like the one being quick-added (same name, same phone or e-mail). */
  readonly duplicates?: readonly Patient[];
}

/**
 * The duplicate warning: use one of the look-alikes or confirm a new person. It sits after the
 * form's own submit button, so pressing Enter in a field never picks a look-alike silently
 * (the first submit button is the default; "Save" asks again).
 */
function duplicateChoice(ctx: PageContext, view: RecordView): SafeHtml {
  const L = ctx.locale;
  const dups = view.duplicates ?? [];
  if (dups.length === 0) return html``;
  return html`<section class="warning duplicates" aria-labelledby="dup-title">
<h2 id="dup-title">${warnIcon()} ${tpeople(L, 'dupTitle')}</h2>
<p>${tpeople(L, 'dupText')}</p>
<ul class="dup-list">${dups.map(
    (p) =>
      html`<li><button type="submit" name="useExisting" value="${p.id}" class="btn secondary">${tpeople(L, 'dupUse', { name: p.displayName, when: formatInstant(p.createdAt, view.timeZone, L) })}</button> <span class="hint">${[p.email, p.phone].filter((x) => x !== null).join(' · ')}</span></li>`,
  )}</ul>
<p><button type="submit" name="confirmNew" value="1" class="btn">${tpeople(L, 'dupConfirm')}</button></p>
</section>`;
}

const SIDE_KEY: Readonly<Record<Side, DashboardMessageKey>> = {
  left: 'sideLeft',
  right: 'sideRight',
  midline: 'sideMidline',
};

export function sideText(L: PageContext['locale'], side: Side | null): string {
  return side === null ? '–' : tr(L, SIDE_KEY[side]);
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

function bilateralWarning(L: PageContext['locale'], shown: boolean): SafeHtml {
  return html`<div id="bilateral-warning" class="warning"${shown ? '' : raw(' hidden')} role="alert">${warnIcon()} <strong>${tr(L, 'bilateralShort')}.</strong> ${tr(L, 'bilateralWarning')}</div>`;
}

/**
 * The body map's outlines (a 120 × 300 figure): each region of the core catalogue where it
 * shows from the front or the back. Both views share the silhouette; the torso is the chest from
 * the front and the upper and lower back from behind.
 */
const HEAD_NECK =
  'M60 4C70 4 75 12 75 21C75 30 70 36 66 38L66 46L54 46L54 38C50 36 45 30 45 21C45 12 50 4 60 4Z';
const UPPER_TORSO = 'M54 46L66 46L86 52L86 100L34 100L34 52Z';
const LOWER_TORSO = 'M34 100L86 100L86 128L34 128Z';
const ARMS = [
  'M34 52L22 57L15 100L9 150L22 153L29 105L34 80Z',
  'M86 52L98 57L105 100L111 150L98 153L91 105L86 80Z',
];
const PELVIS = 'M34 128L86 128L88 150L32 150Z';
const THIGHS = ['M32 150L59 150L56 215L38 215Z', 'M61 150L88 150L82 215L64 215Z'];
const LOWER_LEGS = [
  'M38 215L56 215L54 272L58 290L40 290L41 272Z',
  'M64 215L82 215L79 272L80 290L62 290L66 272Z',
];

type MapShape = readonly [BodyRegion | null, readonly string[]];
const FRONT: readonly MapShape[] = [
  ['head_neck', [HEAD_NECK]],
  ['chest', [UPPER_TORSO]],
  [null, [LOWER_TORSO]],
  ['arm', ARMS],
  ['hip', [PELVIS]],
  ['thigh', THIGHS],
  ['lower_leg_foot', LOWER_LEGS],
];
const BACK: readonly MapShape[] = [
  ['head_neck', [HEAD_NECK]],
  ['shoulder_upper_back', [UPPER_TORSO]],
  ['lower_back', [LOWER_TORSO]],
  ['arm', ARMS],
  ['hip', [PELVIS]],
  ['thigh', THIGHS],
  ['lower_leg_foot', LOWER_LEGS],
];

/**
 * Front and back figures beside the muscle list (issue 10). Each region is a link to its part
 * of the list (`#region-…`), so it works without JavaScript and from the keyboard; the script
 * narrows the list to the region instead. Regions with thoracic muscles are hatched with a
 * dashed outline and say so in their names and the legend, not by colour alone.
 */
function bodyMap(L: PageContext['locale']): SafeHtml {
  const figure = (view: 'front' | 'back', shapes: readonly MapShape[]) => {
    const viewName = tr(L, view === 'front' ? 'bodyFront' : 'bodyBack');
    const parts = shapes.map(([region, paths]) => {
      const d = paths.map((p) => html`<path d="${p}"/>`);
      if (region === null) return html`<g class="map-plain" aria-hidden="true">${d}</g>`;
      const muscles = MUSCLES.filter((m) => m.region === region);
      const thoracic = muscles.filter((m) => m.thoracic).length;
      const label = tr(L, thoracic > 0 ? 'mapRegionThoracic' : 'mapRegion', {
        region: BODY_REGION_NAMES[region][L],
        view: viewName.toLowerCase(),
        n: muscles.length,
        t: thoracic,
      });
      return html`<a href="#region-${region}" class="map-region${thoracic > 0 ? ' is-thoracic' : ''}" data-region="${region}" aria-label="${label}"><title>${label}</title>${d}</a>`;
    });
    return html`<figure class="figure figure-${view}"><figcaption>${viewName}</figcaption>
<svg viewBox="0 0 120 300" role="group" aria-label="${tr(L, 'bodyMapTitle')}: ${viewName}" xmlns="http://www.w3.org/2000/svg">${
      view === 'front'
        ? raw(
            '<defs><pattern id="map-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4e8f7"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6a1f7d" stroke-width="2.2"/></pattern></defs>',
          )
        : ''
    }${parts}</svg></figure>`;
  };
  return html`<div class="body-map" role="group" aria-labelledby="body-map-title" aria-describedby="body-map-help">
<p id="body-map-title" class="map-title">${tr(L, 'bodyMapTitle')}</p>
<p id="body-map-help" class="hint">${tr(L, 'bodyMapHelp')}</p>
<div class="figures">${figure('front', FRONT)}${figure('back', BACK)}</div>
<p class="map-legend"><svg class="swatch" viewBox="0 0 20 14" aria-hidden="true" focusable="false"><rect x="1" y="1" width="18" height="12" fill="url(#map-hatch)" stroke="#6a1f7d" stroke-width="2" stroke-dasharray="4 2"/></svg> ${tr(L, 'mapLegend')}</p>
<p class="map-status" hidden data-enhance="map"><span id="map-status" role="status" data-template="${tr(L, 'mapShowing', { region: '{region}' })}"></span> <button type="button" class="btn secondary" id="map-show-all">${tr(L, 'mapShowAll')}</button></p>
</div>`;
}

function musclePicker(ctx: PageContext, form: RecordFormState, bilateral: boolean): SafeHtml {
  const L = ctx.locale;
  return html`<fieldset class="picker" aria-describedby="muscles-help">
<legend>${tr(L, 'musclesNeedled')}</legend>
<p id="muscles-help">${tr(L, 'musclesHelp')} <span class="thoracic-help">${thoracicBadge(L)} ${tr(L, 'thoracicHelp')}</span></p>
<div class="picker-layout">
${bodyMap(L)}
<div class="picker-list">
<div class="picker-tools">
<p class="filter" hidden data-enhance="filter"><label for="muscle-filter">${tr(L, 'filterMuscles')}</label>
<input id="muscle-filter" type="search" autocomplete="off" aria-describedby="filter-hint filter-empty"> <span id="filter-hint" class="hint">${tr(L, 'filterHint')}</span></p>
<p id="filter-empty" class="empty" hidden>${tr(L, 'noMusclesMatch')}</p>
${bilateralWarning(L, bilateral)}
</div>
${BODY_REGIONS.map((region) => {
  const muscles = MUSCLES.filter((m) => m.region === region);
  return html`<fieldset class="region" id="region-${region}" tabindex="-1" data-region="${region}">
<legend>${BODY_REGION_NAMES[region][L]}</legend>
${muscles.map((m) => {
  const search = fold([m.id, m.name.en, m.name.es, m.everyday.en, m.everyday.es].join(' '));
  return html`<div class="muscle${m.thoracic ? ' is-thoracic' : ''}" data-muscle="${m.id}" data-thoracic="${m.thoracic ? 'true' : 'false'}" data-search="${search}">
<fieldset>
<legend><span class="m-name">${m.name[L]}</span> <span class="m-everyday">(${m.everyday[L]})</span>${m.thoracic ? html` ${thoracicBadge(L)}` : ''}</legend>
<span class="sides">${sidesFor(m).map((side) => {
    const value = `${m.id}:${side}`;
    const id = `site-${m.id}-${side}`;
    return html`<span class="side"><input type="checkbox" id="${id}" name="site" value="${value}" data-side="${side}"${form.sites.has(value) ? raw(' checked') : ''}><label for="${id}">${tr(L, SIDE_KEY[side])}</label></span>`;
  })}</span>
<span class="needles"><label for="n-${m.id}">${tr(L, 'needlesPerSide')}</label><input type="number" id="n-${m.id}" name="n_${m.id}" min="1" max="100" inputmode="numeric" value="${form.needles[m.id] ?? ''}"></span>
</fieldset>
</div>`;
})}
</fieldset>`;
})}
</div>
</div>
</fieldset>`;
}

function patientChooser(ctx: PageContext, form: RecordFormState): SafeHtml {
  const L = ctx.locale;
  const np = form.newPatient;
  return html`<fieldset class="patient">
<legend>${tr(L, 'patient')}</legend>
${form.q !== '' && form.found.length === 0 ? html`<p class="empty">${tr(L, 'noPatientsFound')}</p>` : ''}
<ul class="choices">
${form.found.map(
  (p) =>
    html`<li><input type="radio" name="patientId" id="p-${p.id}" value="${p.id}"${form.patientChoice === p.id ? raw(' checked') : ''}><label for="p-${p.id}">${p.displayName}${p.email === null ? '' : ` · ${p.email}`}${p.phone === null ? '' : ` · ${p.phone}`}</label></li>`,
)}
<li><input type="radio" name="patientId" id="p-new" value="new"${form.patientChoice === 'new' ? raw(' checked') : ''}><label for="p-new">${tr(L, 'newPatient')}</label></li>
</ul>
<div class="new-patient grid">
<p><label for="np-name">${tr(L, 'displayName')}</label><input id="np-name" name="displayName" maxlength="200" autocomplete="off" value="${np.displayName}"></p>
<p class="contact-help hint" id="contact-help">${tr(L, 'contactHelp')}</p>
<p><label for="np-phone">${tr(L, 'phone')}</label><input id="np-phone" name="phone" type="tel" maxlength="30" autocomplete="off" value="${np.phone}" aria-describedby="contact-help"></p>
<p><label for="np-email">${tr(L, 'email')}</label><input id="np-email" name="email" type="email" maxlength="254" autocomplete="off" value="${np.email}" aria-describedby="contact-help"></p>
<p class="no-contact-choice"><input type="checkbox" id="np-nocontact" name="noContact" value="1"${np.noContact === true ? raw(' checked') : ''}> <label for="np-nocontact">${tr(L, 'noContactChoice')}</label></p>
<p><label for="np-lang">${tr(L, 'patientLanguage')}</label><select id="np-lang" name="language">${LOCALES.map(
    (l) =>
      html`<option value="${l}" lang="${l}"${np.language === l ? raw(' selected') : ''}>${DASHBOARD_MESSAGES.langName[l]}</option>`,
  )}</select></p>
</div>
</fieldset>`;
}

export function recordPage(ctx: PageContext, view: RecordView): string {
  const L = ctx.locale;
  const form = view.form;
  return page(
    ctx,
    tr(L, 'recordTitle'),
    html`<h1>${tr(L, 'recordTitle')}</h1>
${errorList(L, view.errors)}
${(view.duplicates ?? []).length === 0 ? '' : html`<p class="error-text" role="alert"><a href="#dup-title">${tpeople(L, 'dupTitle')}</a></p>`}
<form method="get" action="/app/sessions/new" role="search" class="inline search">
<label for="q">${tr(L, 'searchPatients')}</label>
<input id="q" name="q" type="search" maxlength="100" value="${form.q}" aria-describedby="q-hint"> <span id="q-hint" class="hint">${tr(L, 'searchHint')}</span>
<button type="submit" class="btn secondary">${tr(L, 'search')}</button>
</form>
<form method="post" action="/app/sessions" class="record" id="record-form">
${csrfField(ctx)}
<input type="hidden" name="recordKey" value="${form.recordKey}">
${patientChooser(ctx, form)}
<p class="performed"><label for="performedAt">${tr(L, 'performedAt')}</label>
<input id="performedAt" name="performedAt" type="datetime-local" required value="${form.performedAt}" aria-describedby="performed-help"> <span id="performed-help" class="hint">${tr(L, 'performedAtHelp', { zone: view.timeZone })}</span></p>
${musclePicker(ctx, form, view.bilateral)}
<p><label for="notes">${tr(L, 'notes')} <span class="hint">${tr(L, 'optional')}</span></label>
<textarea id="notes" name="notes" rows="2" maxlength="2000">${form.notes}</textarea></p>
<p class="submit-bar"><button type="submit" class="btn primary">${tr(L, 'saveSession')}</button></p>
${duplicateChoice(ctx, view)}
</form>`,
    { nav: 'record' },
  );
}

export interface ResultView {
  readonly patient: Patient;
  readonly url: string;
  readonly handoutUrl: string;
  readonly qrSvg: string;
  readonly expiresAt: string;
  readonly plan: CheckInPlan;
  readonly bilateral: boolean;
  readonly thoracic: boolean;
  readonly timeZone: string;
  readonly clinicName: string;
  /** The session shown: the language switch re-renders it with the same link. */
  readonly sessionId: string;
  /** Shown again for a form sent twice: says that nothing new was recorded. */
  readonly replayed?: boolean;
  /** A new link for a session recorded earlier: says so, not "Session saved". */
  readonly reissued?: boolean;
}

export function resultPage(ctx: PageContext, view: ResultView): string {
  const L = ctx.locale;
  const pl = (view.patient.language === 'es' ? 'es' : 'en') as 'en' | 'es';
  const mailto = `mailto:${encodeURIComponent(view.patient.email ?? '')}?subject=${encodeURIComponent(tr(pl, 'mailSubject'))}&body=${encodeURIComponent(
    tr(pl, 'mailBody', {
      patient: view.patient.displayName,
      url: view.url,
      clinic: view.clinicName,
    }),
  )}`;
  const reissued = view.reissued === true;
  const title = tr(L, reissued ? 'reissuedTitle' : 'resultTitle');
  return page(
    ctx,
    title,
    html`<h1>${title}</h1>
${view.bilateral ? bilateralWarning(L, true) : ''}
<p>${tr(L, reissued ? 'reissuedLead' : 'resultLead', { patient: view.patient.displayName })} <a href="/app/patients/${view.patient.id}">${tr(L, 'openPatient')}</a></p>
<div class="result">
<div class="qr" role="img" aria-label="${tr(L, 'qrLabel')}">${raw(view.qrSvg)}</div>
<div class="share">
<p><label for="patient-link">${tr(L, 'patientLink')}</label>
<input id="patient-link" type="text" readonly value="${view.url}" aria-describedby="link-once"></p>
<p id="link-once" class="hint">${tr(L, 'linkShownOnce')} ${tr(L, 'linkValidUntil', { when: formatInstant(view.expiresAt, view.timeZone, L) })}</p>
<p class="actions">
<button type="button" class="btn primary" hidden data-copy="#patient-link" data-copied="${tr(L, 'copied')}">${tr(L, 'copyLink')}</button>
<a class="btn secondary" href="${mailto}">${tr(L, 'sendEmail')}</a>
<a class="btn secondary" href="${view.handoutUrl}" target="_blank" rel="noopener">${tr(L, 'printHandout')}</a>
</p>
<p id="copy-status" class="hint" role="status"></p>
</div>
</div>
<h2>${tr(L, 'checkInPlan')}${view.thoracic ? html` ${thoracicBadge(L)}` : ''}</h2>
<ul>${view.plan.checkIns.map((c) => html`<li>${formatInstant(c.dueAt, view.timeZone, L)} (+${c.hoursAfter} h)</li>`)}</ul>
${reissued ? '' : html`<p><a class="btn secondary" href="/app/sessions/new">${tr(L, 'recordAnother')}</a></p>`}`,
    {
      nav: reissued ? 'patients' : 'record',
      ...(view.replayed === true ? { flash: tr(L, 'alreadyRecordedSame') } : {}),
      langForm: {
        action: `/app/sessions/${view.sessionId}/handover`,
        fields: {
          token: view.url.split('/p/')[1] ?? '',
          ...(reissued ? { reissued: '1' } : {}),
        },
      },
    },
  );
}

/**
 * A recorded form sent again whose link can no longer be shown (decision 1120): says that
 * nothing new was recorded, names the session, and offers a new link (the earlier one then
 * stops working) rather than issuing one by itself.
 */
export function alreadyRecordedPage(
  ctx: PageContext,
  view: {
    readonly sessionId: string;
    readonly patient: Patient;
    readonly performedAt: string;
    readonly timeZone: string;
  },
): string {
  const L = ctx.locale;
  return page(
    ctx,
    tr(L, 'alreadyRecordedTitle'),
    html`<h1>${tr(L, 'alreadyRecordedTitle')}</h1>
<p>${tr(L, 'alreadyRecordedText', { patient: view.patient.displayName, when: formatInstant(view.performedAt, view.timeZone, L) })}</p>
<form method="post" action="/app/sessions/${view.sessionId}/link">${csrfField(ctx)}<button type="submit" class="btn primary" aria-describedby="reissue-help">${tr(L, 'issueLink')}</button> <span id="reissue-help" class="hint">${tr(L, 'issueLinkHelp')}</span></form>
<p><a href="/app/patients/${view.patient.id}">${tr(L, 'openPatient')}</a> · <a href="/app/sessions/new">${tr(L, 'recordAnother')}</a></p>`,
    { nav: 'record' },
  );
}
