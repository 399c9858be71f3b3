import { LOCALES, type Locale } from '../../../clinical/types.ts';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from '../../../services/api-tokens.ts';
import { WEEKDAYS } from '../../../services/clinic-settings.ts';
import type { EscalationView } from '../../../services/escalation-settings.ts';
import { NO_PASSWORD } from '../../../services/set-password.ts';
import type { WebhookView } from '../../../services/webhook-settings.ts';
import type { ApiTokenListed } from '../../../store/api-tokens.repository.ts';
import type { Clinic, Weekday } from '../../../store/clinics.repository.ts';
import type { StaffUser } from '../../../store/staff.repository.ts';
import { html, raw } from '../../shared/html.ts';
import { type EscalationMessageKey, tesc } from '../escalation-messages.ts';
import { csrfField, errorList, type PageContext, page } from '../layout.ts';
import { DASHBOARD_MESSAGES, type DashboardMessageKey, tr } from '../messages.ts';
import { tp } from '../patients-messages.ts';
import { tpeople } from '../people-messages.ts';
import { formatInstant } from '../time.ts';

/** The retention setting's bounds (the settings schema's). */
export const RETENTION_MIN_YEARS = 1;
export const RETENTION_MAX_YEARS = 100;

/** The settings form as text fields: filled from the clinic, or as sent when it had errors. */
export interface SettingsForm {
  readonly name: string;
  readonly timeZone: string;
  readonly emergencyNumber: string;
  readonly contactPhone: string;
  readonly checkInPlanHours: string;
  readonly thoracicPlanHours: string;
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  readonly coverage: Readonly<Record<Weekday, string>>;
  /** Urgent and emergency alert e-mails and webhooks carry the patient's contact (decision 1221). */
  readonly patientContactInAlerts: boolean;
  readonly retentionYears: string;
}

export interface NewTokenForm {
  readonly name: string;
  readonly days: string;
}

export interface NewStaffForm {
  readonly email: string;
  readonly displayName: string;
  readonly role: string;
}

/** One escalation contact's row of the form, as text (decision 0502). */
export interface EscalationContactForm {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  /** `''`: the clinic's default language. */
  readonly language: string;
}

/** The escalation form as text fields: filled from the settings, or as sent with errors. */
export interface EscalationForm {
  readonly emergencyMinutes: string;
  readonly urgentMinutes: string;
  readonly routineMinutes: string;
  readonly missedCheckInMinutes: string;
  readonly alertEmail: string;
  readonly afterHoursPhone: string;
  readonly contacts: readonly EscalationContactForm[];
}

/** At most this many escalation contacts (the API's limit). */
export const MAX_ESCALATION_CONTACTS = 10;

export function escalationFormOf(view: EscalationView): EscalationForm {
  return {
    emergencyMinutes: String(view.emergencyMinutes),
    urgentMinutes: String(view.urgentMinutes),
    routineMinutes: view.routineMinutes === null ? '' : String(view.routineMinutes),
    missedCheckInMinutes: String(view.missedCheckInMinutes),
    alertEmail: view.alertEmail ?? '',
    afterHoursPhone: view.afterHoursPhone ?? '',
    contacts: view.contacts.map((c) => ({
      name: c.name,
      email: c.email ?? '',
      phone: c.phone ?? '',
      language: c.language ?? '',
    })),
  };
}

/** The add-or-change webhook form as sent (never the secret). */
export interface WebhookForm {
  readonly id: string;
  readonly url: string;
  readonly format: string;
}

export interface ClinicView {
  readonly escalation: EscalationForm;
  readonly escalationErrors: readonly string[];
  readonly webhooks: readonly WebhookView[];
  readonly webhookForm: WebhookForm;
  readonly webhookErrors: readonly string[];
  readonly staff: readonly StaffUser[];
  readonly settings: SettingsForm;
  readonly settingsErrors: readonly string[];
  readonly newStaff: NewStaffForm;
  readonly staffErrors: readonly string[];
  /** A refused role change or deactivation, shown above the staff table. */
  readonly roleErrors?: readonly string[];
  readonly timeZones: readonly string[];
  readonly tokens: readonly ApiTokenListed[];
  readonly newToken: NewTokenForm;
  readonly tokenErrors: readonly string[];
  /** A token just made: its secret, shown this once. */
  readonly madeToken?: { readonly token: string; readonly expiresAt: string } | undefined;
  readonly now: Date;
  readonly timeZone: string;
}

export const DAY_KEY: Readonly<Record<Weekday, DashboardMessageKey>> = {
  mon: 'dayMon',
  tue: 'dayTue',
  wed: 'dayWed',
  thu: 'dayThu',
  fri: 'dayFri',
  sat: 'daySat',
  sun: 'daySun',
};

export function settingsFormOf(clinic: Clinic): SettingsForm {
  return {
    name: clinic.name,
    timeZone: clinic.timeZone,
    emergencyNumber: clinic.emergencyNumber,
    contactPhone: clinic.contactPhone,
    checkInPlanHours: clinic.checkInPlanHours.join(', '),
    thoracicPlanHours: clinic.thoracicPlanHours.join(', '),
    languages: clinic.languages,
    defaultLanguage: clinic.defaultLanguage,
    coverage: Object.fromEntries(
      WEEKDAYS.map((d) => [d, (clinic.coverage[d] ?? []).map(([a, b]) => `${a}-${b}`).join(', ')]),
    ) as Record<Weekday, string>,
    patientContactInAlerts: clinic.patientContactInAlerts,
    retentionYears: String(clinic.retentionYears),
  };
}

function tokenState(t: ApiTokenListed, now: Date): 'tokenActive' | 'tokenExpired' | 'tokenRevoked' {
  if (t.revokedAt !== null) return 'tokenRevoked';
  if (t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime()) return 'tokenExpired';
  return 'tokenActive';
}

function tokensSection(ctx: PageContext, view: ClinicView) {
  const L = ctx.locale;
  const when = (iso: string | null) =>
    iso === null ? tpeople(L, 'tokenNever') : formatInstant(iso, view.timeZone, L);
  return html`<section aria-labelledby="tokens-title">
<h2 id="tokens-title">${tpeople(L, 'tokensTitle')}</h2>
<p>${tpeople(L, 'tokensLead')}</p>
${
  view.tokens.length === 0
    ? html`<p>${tpeople(L, 'tokensNone')}</p>`
    : html`<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'scrollTable', { name: tpeople(L, 'tokensTitle') })}"><table>
<caption class="visually-hidden">${tpeople(L, 'tokensTitle')}</caption>
<thead><tr><th scope="col">${tpeople(L, 'tokenName')}</th><th scope="col">${tpeople(L, 'tokenMadeBy')}</th><th scope="col">${tpeople(L, 'tokenCreated')}</th><th scope="col">${tpeople(L, 'tokenExpires')}</th><th scope="col">${tpeople(L, 'tokenLastUsed')}</th><th scope="col">${tpeople(L, 'tokenState')}</th><th scope="col">${tr(L, 'actions')}</th></tr></thead>
<tbody>${view.tokens.map((t) => {
        const state = tokenState(t, view.now);
        return html`<tr><td>${t.name}</td><td>${t.createdByName ?? tpeople(L, 'tokenUnknownMaker')}</td><td>${when(t.createdAt)}</td><td>${when(t.expiresAt)}</td><td>${when(t.lastUsedAt)}</td><td>${tpeople(L, state)}</td><td>${
          state === 'tokenRevoked'
            ? ''
            : html`<form method="post" action="/app/clinic/api-tokens/${t.id}/revoke">${csrfField(ctx)}<button type="submit" class="btn danger-outline">${tpeople(L, 'tokenRevoke', { name: t.name })}</button></form>`
        }</td></tr>`;
      })}</tbody></table></div>`
}
<h3 id="new-token-title">${tpeople(L, 'tokenNew')}</h3>
${
  view.madeToken === undefined
    ? ''
    : html`<div class="flash" role="status"><p>${tpeople(L, 'tokenSecret', { expires: when(view.madeToken.expiresAt) })}</p><p><code id="new-token">${view.madeToken.token}</code></p></div>`
}
${errorList(L, view.tokenErrors)}
<form method="post" action="/app/clinic/api-tokens#new-token-title" class="grid" aria-labelledby="new-token-title">${csrfField(ctx)}
<p><label for="tk-name">${tpeople(L, 'tokenNameLabel')}</label><input id="tk-name" name="name" required maxlength="100" value="${view.newToken.name}"></p>
<p><label for="tk-days">${tpeople(L, 'tokenDays')}</label><input id="tk-days" name="days" type="number" inputmode="numeric" min="1" max="${MAX_TOKEN_DAYS}" step="1" required value="${view.newToken.days}" aria-describedby="tk-days-help"> <span id="tk-days-help" class="hint">${tpeople(L, 'tokenDaysHelp', { max: MAX_TOKEN_DAYS, default: DEFAULT_TOKEN_DAYS })}</span></p>
<p><button type="submit" class="btn primary">${tpeople(L, 'tokenMake')}</button></p>
</form>
</section>`;
}

export function clinicPage(ctx: PageContext, view: ClinicView, flash?: string): string {
  const L = ctx.locale;
  const s = view.settings;
  const me = ctx.staff?.userId;
  return page(
    ctx,
    tr(L, 'clinicTitle'),
    html`<h1>${tr(L, 'clinicTitle')}</h1>
<nav class="on-page" aria-labelledby="on-page-title"><h2 id="on-page-title">${tr(L, 'onThisPage')}</h2><ul>
<li><a href="#staff-title">${tr(L, 'practitioners')}</a></li>
<li><a href="#settings-title">${tr(L, 'settings')}</a></li>
<li><a href="#escalation-title">${tr(L, 'escalationShort')}</a></li>
<li><a href="#webhooks-title">${tr(L, 'webhooksTitle')}</a></li>
<li><a href="#tokens-title">${tpeople(L, 'tokensTitle')}</a></li>
</ul></nav>
<p><a href="/app/clinic/alert-burden">${tr(L, 'burdenLink')}</a></p>
<p><a href="/app/clinic/export.zip" download>${tp(L, 'exportClinic')}</a></p>
<section aria-labelledby="staff-title">
<h2 id="staff-title">${tr(L, 'practitioners')}</h2>
${errorList(L, view.roleErrors ?? [])}
<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'scrollTable', { name: tr(L, 'practitioners') })}"><table>
<caption class="visually-hidden">${tr(L, 'practitioners')}</caption>
<thead><tr><th scope="col">${tr(L, 'displayName')}</th><th scope="col">${tr(L, 'email')}</th><th scope="col">${tr(L, 'role')}</th><th scope="col">${tr(L, 'active')}</th><th scope="col">${tr(L, 'actions')}</th></tr></thead>
<tbody>${view.staff.map((u) => {
      const pending = u.active && u.passwordHash === NO_PASSWORD;
      const state = pending ? 'invitePending' : u.active ? 'active' : 'inactive';
      const action = (path: string, key: DashboardMessageKey, cls: string) =>
        html`<form method="post" action="/app/clinic/staff/${u.id}/${path}#errors">${csrfField(ctx)}<button type="submit" class="btn ${cls}">${tr(L, key, { name: u.displayName })}</button></form>`;
      return html`<tr><td>${u.displayName}${u.id === me ? html` (${tr(L, 'you')})` : ''}</td><td>${u.email}</td><td>${tr(L, u.role === 'admin' ? 'roleAdmin' : 'rolePractitioner')}</td><td>${tr(L, state)}</td><td>${
        pending
          ? html`${action('resend-invitation', 'resendInvite', 'secondary')}${action('revoke-invitation', 'revokeInvite', 'danger-outline')}`
          : ''
      }${
        u.active
          ? html`<form method="post" action="/app/clinic/staff/${u.id}/role#errors" class="inline">${csrfField(ctx)}<label class="visually-hidden" for="role-${u.id}">${tpeople(L, 'roleOf', { name: u.displayName })}</label><select id="role-${u.id}" name="role"><option value="practitioner"${u.role === 'admin' ? '' : raw(' selected')}>${tr(L, 'rolePractitioner')}</option><option value="admin"${u.role === 'admin' ? raw(' selected') : ''}>${tr(L, 'roleAdmin')}</option></select> <button type="submit" class="btn secondary">${tpeople(L, 'changeRole')}<span class="visually-hidden"> (${u.displayName})</span></button></form>`
          : ''
      }${u.active && u.id !== me ? action('deactivate', 'deactivate', 'danger-outline') : ''}</td></tr>`;
    })}</tbody>
</table></div>
<h3 id="add-staff-title">${tr(L, 'addPractitioner')}</h3>
<p>${tr(L, 'inviteLead')}</p>
${errorList(L, view.staffErrors)}
<form method="post" action="/app/clinic/staff#errors" class="grid" aria-labelledby="add-staff-title">${csrfField(ctx)}
<p><label for="ns-name">${tr(L, 'displayName')}</label><input id="ns-name" name="displayName" required maxlength="200" value="${view.newStaff.displayName}"></p>
<p><label for="ns-email">${tr(L, 'email')}</label><input id="ns-email" name="email" type="email" required maxlength="254" autocomplete="off" value="${view.newStaff.email}"></p>
<p><label for="ns-role">${tr(L, 'role')}</label><select id="ns-role" name="role">
<option value="practitioner"${view.newStaff.role === 'admin' ? '' : raw(' selected')}>${tr(L, 'rolePractitioner')}</option>
<option value="admin"${view.newStaff.role === 'admin' ? raw(' selected') : ''}>${tr(L, 'roleAdmin')}</option></select></p>
<p><label for="ns-lang">${tr(L, 'inviteLanguage')}</label><select id="ns-lang" name="language">
<option value="en"${L === 'en' ? raw(' selected') : ''}>English</option>
<option value="es"${L === 'es' ? raw(' selected') : ''}>Español</option></select></p>
<p><button type="submit" class="btn primary">${tr(L, 'add')}</button></p>
</form>
</section>
<section aria-labelledby="settings-title">
<h2 id="settings-title">${tr(L, 'settings')}</h2>
${errorList(L, view.settingsErrors)}
<form method="post" action="/app/clinic/settings#errors" class="stack" aria-labelledby="settings-title">${csrfField(ctx)}
<p><label for="cs-name">${tr(L, 'clinicName')}</label><input id="cs-name" name="name" required maxlength="200" value="${s.name}"></p>
<p><label for="cs-tz">${tr(L, 'timeZone')}</label><select id="cs-tz" name="timeZone">${view.timeZones.map(
      (z) => html`<option${z === s.timeZone ? raw(' selected') : ''}>${z}</option>`,
    )}</select></p>
<p><label for="cs-emergency">${tr(L, 'emergencyNumber')}</label><input id="cs-emergency" name="emergencyNumber" required inputmode="tel" maxlength="16" value="${s.emergencyNumber}" aria-describedby="cs-emergency-help"> <span id="cs-emergency-help" class="hint">${tr(L, 'emergencyNumberHelp')}</span></p>
<p><label for="cs-phone">${tr(L, 'contactPhone')}</label><input id="cs-phone" name="contactPhone" type="tel" required maxlength="30" value="${s.contactPhone}"></p>
<p><label for="cs-plan">${tr(L, 'checkInPlanHours')}</label><input id="cs-plan" name="checkInPlanHours" required value="${s.checkInPlanHours}" aria-describedby="plan-help"></p>
<p><label for="cs-tplan">${tr(L, 'thoracicPlanHours')}</label><input id="cs-tplan" name="thoracicPlanHours" required value="${s.thoracicPlanHours}" aria-describedby="plan-help"></p>
<p id="plan-help" class="hint">${tr(L, 'planHelp')}</p>
<fieldset><legend>${tr(L, 'languages')}</legend>
${LOCALES.map((l) => html`<span class="side"><input type="checkbox" id="cs-lang-${l}" name="languages" value="${l}"${s.languages.includes(l) ? raw(' checked') : ''}><label for="cs-lang-${l}" lang="${l}">${DASHBOARD_MESSAGES.langName[l]}</label></span>`)}
</fieldset>
<p><label for="cs-default-lang">${tr(L, 'defaultLanguage')}</label><select id="cs-default-lang" name="defaultLanguage">${LOCALES.map(
      (l) =>
        html`<option value="${l}" lang="${l}"${s.defaultLanguage === l ? raw(' selected') : ''}>${DASHBOARD_MESSAGES.langName[l]}</option>`,
    )}</select></p>
<fieldset aria-describedby="coverage-help"><legend>${tr(L, 'coverage')}</legend>
<p id="coverage-help" class="hint">${tr(L, 'coverageHelp')}</p>
<div class="grid">${WEEKDAYS.map(
      (d) =>
        html`<p><label for="cov-${d}">${tr(L, DAY_KEY[d])}</label><input id="cov-${d}" name="cov_${d}" value="${s.coverage[d]}"></p>`,
    )}</div>
</fieldset>
<fieldset aria-describedby="cs-contact-help"><legend>${tr(L, 'alertContactLegend')}</legend>
<input type="hidden" name="contactSettingShown" value="1">
<p class="no-contact-choice"><input type="checkbox" id="cs-contact" name="patientContactInAlerts" value="1"${s.patientContactInAlerts ? raw(' checked') : ''}> <label for="cs-contact">${tr(L, 'alertContactLabel')}</label></p>
<p id="cs-contact-help" class="hint">${tr(L, 'alertContactHelp')}</p>
</fieldset>
<p><label for="cs-retention">${tpeople(L, 'retentionYears')}</label><input id="cs-retention" name="retentionYears" type="number" inputmode="numeric" min="${RETENTION_MIN_YEARS}" max="${RETENTION_MAX_YEARS}" step="1" required value="${s.retentionYears}" aria-describedby="cs-retention-help"> <span id="cs-retention-help" class="hint">${tpeople(L, 'retentionHelp', { min: RETENTION_MIN_YEARS, max: RETENTION_MAX_YEARS })}</span></p>
<p><button type="submit" class="btn primary">${tr(L, 'saveSettings')}</button></p>
</form>
</section>
${escalationSection(ctx, view)}
${webhooksSection(ctx, view)}
${tokensSection(ctx, view)}`,
    { nav: 'clinic', flash },
  );
}

/**
 * Who is told when nobody acknowledges an alert, and when (decision 0502): the minutes per
 * severity, the contacts in order (each with the language of their messages), the alert
 * address, the out-of-hours phone and the missed early check-in's minutes.
 */
function escalationSection(ctx: PageContext, view: ClinicView): ReturnType<typeof html> {
  const L = ctx.locale;
  const e = view.escalation;
  const clinicLanguage = (LOCALES as readonly string[]).includes(view.settings.defaultLanguage)
    ? DASHBOARD_MESSAGES.langName[view.settings.defaultLanguage as Locale]
    : view.settings.defaultLanguage;
  const rows = Math.min(MAX_ESCALATION_CONTACTS, Math.max(2, e.contacts.length + 1));
  const blank: EscalationContactForm = { name: '', email: '', phone: '', language: '' };
  const minutesInput = (name: keyof EscalationForm, label: EscalationMessageKey, help?: string) =>
    html`<p><label for="esc-${name}">${tesc(L, label)}</label><input id="esc-${name}" name="${name}" type="number" inputmode="numeric" min="1" max="10080" step="1"${help === undefined ? raw(' required') : raw(` aria-describedby="esc-${name}-help"`)} value="${e[name] as string}">${help === undefined ? '' : html` <span id="esc-${name}-help" class="hint">${help}</span>`}</p>`;
  return html`<section aria-labelledby="escalation-title">
<h2 id="escalation-title">${tesc(L, 'escTitle')}</h2>
<p>${tesc(L, 'escLead')}</p>
${errorList(L, view.escalationErrors)}
<form method="post" action="/app/clinic/escalation#errors" class="stack" aria-labelledby="escalation-title">${csrfField(ctx)}
<fieldset><legend>${tesc(L, 'escTimingLegend')}</legend>
<div class="grid">${minutesInput('emergencyMinutes', 'escEmergency')}${minutesInput('urgentMinutes', 'escUrgent')}${minutesInput('routineMinutes', 'escRoutine', tesc(L, 'escRoutineHelp'))}</div>
</fieldset>
<fieldset aria-describedby="esc-contacts-help"><legend>${tesc(L, 'escContactsLegend')}</legend>
<p id="esc-contacts-help" class="hint">${tesc(L, 'escContactsHelp')}</p>
${Array.from({ length: rows }, (_, i) => {
  const c = e.contacts[i] ?? blank;
  const n = i + 1;
  return html`<fieldset class="contact-row"><legend>${tesc(L, 'escContact', { n })}</legend><div class="grid">
<p><label for="esc-c${i}-name">${tesc(L, 'escName')}</label><input id="esc-c${i}-name" name="c${i}_name" maxlength="200" autocomplete="off" value="${c.name}"></p>
<p><label for="esc-c${i}-email">${tesc(L, 'escEmail')}</label><input id="esc-c${i}-email" name="c${i}_email" type="email" maxlength="254" autocomplete="off" value="${c.email}"></p>
<p><label for="esc-c${i}-phone">${tesc(L, 'escPhone')}</label><input id="esc-c${i}-phone" name="c${i}_phone" type="tel" maxlength="40" autocomplete="off" value="${c.phone}"></p>
<p><label for="esc-c${i}-language">${tesc(L, 'escLanguage')}</label><select id="esc-c${i}-language" name="c${i}_language"><option value=""${c.language === '' ? raw(' selected') : ''}>${tesc(L, 'escLanguageClinic', { lang: clinicLanguage })}</option>${LOCALES.map((l) => html`<option value="${l}" lang="${l}"${c.language === l ? raw(' selected') : ''}>${DASHBOARD_MESSAGES.langName[l]}</option>`)}</select></p>
</div></fieldset>`;
})}
</fieldset>
<p><label for="esc-alertEmail">${tesc(L, 'escAlertEmail')}</label><input id="esc-alertEmail" name="alertEmail" type="email" maxlength="254" autocomplete="off" aria-describedby="esc-alertEmail-help" value="${e.alertEmail}"> <span id="esc-alertEmail-help" class="hint">${tesc(L, 'escOptionalHelp')}</span></p>
<p><label for="esc-afterHoursPhone">${tesc(L, 'escAfterHours')}</label><input id="esc-afterHoursPhone" name="afterHoursPhone" type="tel" maxlength="40" autocomplete="off" aria-describedby="esc-afterHoursPhone-help" value="${e.afterHoursPhone}"> <span id="esc-afterHoursPhone-help" class="hint">${tesc(L, 'escOptionalHelp')}</span></p>
${minutesInput('missedCheckInMinutes', 'escMissed')}
<p><button type="submit" class="btn primary">${tesc(L, 'escSave')}</button></p>
</form>
</section>`;
}

const FORMAT_KEY = { native: 'formatNative', fhir: 'formatFhir' } as const;

function formatOptions(L: PageContext['locale'], selected: string): ReturnType<typeof html> {
  return html`${(['native', 'fhir'] as const).map(
    (f) =>
      html`<option value="${f}"${f === selected ? raw(' selected') : ''}>${tr(L, FORMAT_KEY[f])}</option>`,
  )}`;
}

/** The clinic's webhook endpoints: each one's form (native JSON or FHIR), add, change, remove. */
function webhooksSection(ctx: PageContext, view: ClinicView): ReturnType<typeof html> {
  const L = ctx.locale;
  const f = view.webhookForm;
  return html`<section aria-labelledby="webhooks-title">
<h2 id="webhooks-title">${tr(L, 'webhooksTitle')}</h2>
<p>${tr(L, 'webhooksLead')}</p>
${
  view.webhooks.length === 0
    ? html`<p>${tr(L, 'noWebhooks')}</p>`
    : html`<div class="table-wrap" role="region" tabindex="0" aria-label="${tr(L, 'scrollTable', { name: tr(L, 'webhooksTitle') })}"><table>
<caption class="visually-hidden">${tr(L, 'webhooksTitle')}</caption>
<thead><tr><th scope="col">${tr(L, 'webhookId')}</th><th scope="col">${tr(L, 'webhookUrl')}</th><th scope="col">${tr(L, 'webhookFormat')}</th><th scope="col">${tr(L, 'actions')}</th></tr></thead>
<tbody>${view.webhooks.map(
        (w) => html`<tr><td>${w.id}</td><td class="url">${w.url}</td><td>
<form method="post" action="/app/clinic/webhooks#errors">${csrfField(ctx)}<input type="hidden" name="id" value="${w.id}"><input type="hidden" name="url" value="${w.url}">
<label for="wh-format-${w.id}" class="visually-hidden">${tr(L, 'changeFormat', { name: w.id })}</label><select id="wh-format-${w.id}" name="format">${formatOptions(L, w.format)}</select>
<button type="submit" class="btn secondary">${tr(L, 'changeFormat', { name: w.id })}</button></form></td>
<td><form method="post" action="/app/clinic/webhooks/${w.id}/delete">${csrfField(ctx)}<button type="submit" class="btn danger-outline">${tr(L, 'deleteWebhook', { name: w.id })}</button></form></td></tr>`,
      )}</tbody>
</table></div>`
}
<h3 id="add-webhook-title">${tr(L, 'addWebhook')}</h3>
${errorList(L, view.webhookErrors)}
<form method="post" action="/app/clinic/webhooks#errors" class="stack" aria-labelledby="add-webhook-title">${csrfField(ctx)}
<p><label for="wh-id">${tr(L, 'webhookId')}</label><input id="wh-id" name="id" required maxlength="40" pattern="[A-Za-z0-9_-]{1,40}" value="${f.id}"></p>
<p><label for="wh-url">${tr(L, 'webhookUrl')}</label><input id="wh-url" name="url" type="url" required maxlength="2000" value="${f.url}"></p>
<p><label for="wh-secret">${tr(L, 'webhookSecret')}</label><input id="wh-secret" name="secret" type="password" minlength="16" maxlength="200" autocomplete="new-password" aria-describedby="wh-secret-help"> <span id="wh-secret-help" class="hint">${tr(L, 'webhookSecretHelp')}</span></p>
<p><label for="wh-format">${tr(L, 'webhookFormat')}</label><select id="wh-format" name="format">${formatOptions(L, f.format)}</select></p>
<p><button type="submit" class="btn primary">${tr(L, 'saveWebhook')}</button></p>
</form>
</section>`;
}
