import { LOCALES } from '../../../clinical/types.ts';
import { html, type SafeHtml } from '../../shared/html.ts';
import { ta } from '../account-messages.ts';
import { errorList, type PageContext, page } from '../layout.ts';
import { tr } from '../messages.ts';

export interface SetupValues {
  readonly name: string;
  readonly timeZone: string;
  readonly country: string;
  readonly language: string;
  readonly contactPhone: string;
  readonly adminName: string;
  readonly adminEmail: string;
}

export interface SetupView {
  readonly action: string;
  readonly values: SetupValues;
  /** Problems by field name, already in the page's language. */
  readonly errors: Readonly<Record<string, string>>;
  /** Every IANA time zone the server knows, for the select. */
  readonly timeZones: readonly string[];
}

/** `aria-invalid` and `aria-describedby` of a field, and its message under it. */
function fieldState(
  view: SetupView,
  field: string,
  help?: string,
): { attrs: SafeHtml; message: SafeHtml } {
  const error = view.errors[field];
  const ids = [help, error === undefined ? undefined : `err-${field}`].filter(
    (x): x is string => x !== undefined,
  );
  return {
    attrs: html`${error === undefined ? '' : html` aria-invalid="true"`}${ids.length === 0 ? '' : html` aria-describedby="${ids.join(' ')}"`}`,
    message:
      error === undefined
        ? html``
        : html`<span class="error-text" id="err-${field}">${error}</span>`,
  };
}

/**
 * The first-run setup form (decision 1320): the clinic (name, time zone, country, language,
 * the phone patients are told to call) and
 * its first admin (name, e-mail, password twice). No script; each field labelled, its problem
 * written under it and listed at the top.
 */
export function setupPage(ctx: PageContext, view: SetupView): string {
  const L = ctx.locale;
  const v = view.values;
  const f = (field: string, help?: string) => fieldState(view, field, help);
  const name = f('name');
  const zone = f('timeZone', 'tz-help');
  const country = f('country', 'country-help');
  const language = f('language');
  const phone = f('contactPhone', 'phone-help');
  const adminName = f('adminName');
  const adminEmail = f('adminEmail');
  const password = f('password', 'password-rules');
  const confirmation = f('confirmation');
  return page(
    ctx,
    ta(L, 'setupTitle'),
    html`<section class="narrow">
<h1>${ta(L, 'setupTitle')}</h1>
<p>${ta(L, 'setupLead')}</p>
${errorList(L, Object.values(view.errors))}
<form method="post" action="${view.action}" class="stack">
<fieldset>
<legend>${ta(L, 'setupClinicLegend')}</legend>
<p><label for="name">${ta(L, 'setupClinicName')}</label>
<input id="name" name="name" required maxlength="200" autocomplete="organization" value="${v.name}"${name.attrs}>${name.message}</p>
<p><label for="timeZone">${ta(L, 'setupTimeZone')}</label>
<select id="timeZone" name="timeZone" required${zone.attrs}>
<option value="">${ta(L, 'setupChoose')}</option>
${view.timeZones.map((z) => html`<option${z === v.timeZone ? html` selected` : ''}>${z}</option>`)}
</select>
<span id="tz-help" class="hint">${ta(L, 'setupTimeZoneHelp')}</span>${zone.message}</p>
<p><label for="country">${ta(L, 'setupCountry')}</label>
<input id="country" name="country" required minlength="2" maxlength="2" autocomplete="country" value="${v.country}"${country.attrs}>
<span id="country-help" class="hint">${ta(L, 'setupCountryHelp')}</span>${country.message}</p>
<p><label for="language">${ta(L, 'setupLanguage')}</label>
<select id="language" name="language"${language.attrs}>
${LOCALES.map((l) => html`<option value="${l}"${l === v.language ? html` selected` : ''}>${tr(l, 'langName')}</option>`)}
</select>${language.message}</p>
<p><label for="contactPhone">${ta(L, 'setupPhone')}</label>
<input id="contactPhone" name="contactPhone" type="tel" required maxlength="30" autocomplete="tel" value="${v.contactPhone}"${phone.attrs}>
<span id="phone-help" class="hint">${ta(L, 'setupPhoneHelp')}</span>${phone.message}</p>
</fieldset>
<fieldset>
<legend>${ta(L, 'setupAdminLegend')}</legend>
<p><label for="adminName">${ta(L, 'setupYourName')}</label>
<input id="adminName" name="adminName" required maxlength="200" autocomplete="name" value="${v.adminName}"${adminName.attrs}>${adminName.message}</p>
<p><label for="adminEmail">${ta(L, 'setupYourEmail')}</label>
<input id="adminEmail" name="adminEmail" type="email" required maxlength="254" autocomplete="username" value="${v.adminEmail}"${adminEmail.attrs}>${adminEmail.message}</p>
<p id="password-rules">${tr(L, 'setPasswordRules')}</p>
<p><label for="password">${tr(L, 'newPassword')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256"${password.attrs}>${password.message}</p>
<p><label for="confirmation">${tr(L, 'confirmPassword')}</label>
<input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required minlength="12" maxlength="256"${confirmation.attrs}>${confirmation.message}</p>
</fieldset>
<p><button type="submit" class="btn primary">${ta(L, 'setupButton')}</button></p>
</form>
</section>`,
  );
}
