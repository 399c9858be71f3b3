import { LOCALES } from '../../../clinical/types.ts';
import type { StaffUser } from '../../../store/staff.repository.ts';
import { html, type SafeHtml } from '../../shared/html.ts';
import { ta } from '../account-messages.ts';
import { csrfField, errorList, type PageContext, page } from '../layout.ts';
import { tr } from '../messages.ts';

export interface ForgotView {
  readonly csrf: string;
  readonly email: string;
  /** The form's problem, in the page's language. */
  readonly error?: string | undefined;
  /** After a request: the same sentence whether or not the address is known. */
  readonly sentTo?: string | undefined;
}

/** "Forgot password": one field; afterwards the same answer for every address. No script. */
export function forgotPasswordPage(ctx: PageContext, view: ForgotView): string {
  const L = ctx.locale;
  const invalid =
    view.error === undefined ? '' : html` aria-invalid="true" aria-describedby="forgot-error"`;
  return page(
    ctx,
    ta(L, 'forgotTitle'),
    html`<section class="narrow">
<h1>${ta(L, 'forgotTitle')}</h1>
${
  view.sentTo === undefined
    ? html`<p>${ta(L, 'forgotLead')}</p>
${view.error === undefined ? '' : html`<p class="error-text" role="alert" id="forgot-error">${view.error}</p>`}
<form method="post" action="/app/forgot-password" class="stack">
<input type="hidden" name="_csrf" value="${view.csrf}">
<p><label for="email">${tr(L, 'email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${view.email}"${invalid}></p>
<p><button type="submit" class="btn primary">${ta(L, 'forgotButton')}</button></p>
</form>`
    : html`<p class="flash" role="status">${ta(L, 'forgotSent', { email: view.sentTo })}</p>`
}
<p><a href="/app/sign-in">${ta(L, 'backToSignIn')}</a></p>
</section>`,
  );
}

export interface AccountView {
  readonly user: StaffUser;
  /** The language the form shows selected. */
  readonly language: string;
  readonly name: string;
  readonly flash?: string | undefined;
  /** Problems of the details form, in the page's language. */
  readonly detailErrors: readonly string[];
  /** Problems of the password form, by field (`currentPassword`, `password`, `confirmation`). */
  readonly passwordErrors: Readonly<Record<string, string>>;
}

function described(
  errors: Readonly<Record<string, string>>,
  field: string,
  help?: string,
): SafeHtml {
  const ids = [help, errors[field] === undefined ? undefined : `err-${field}`].filter(
    (x): x is string => x !== undefined,
  );
  return html`${errors[field] === undefined ? '' : html` aria-invalid="true"`}${ids.length === 0 ? '' : html` aria-describedby="${ids.join(' ')}"`}`;
}

function fieldError(errors: Readonly<Record<string, string>>, field: string): SafeHtml {
  const e = errors[field];
  return e === undefined ? html`` : html`<span class="error-text" id="err-${field}">${e}</span>`;
}

/** The signed-in person's own account: name and language, then the password (current first). */
export function accountPage(ctx: PageContext, view: AccountView): string {
  const L = ctx.locale;
  const pe = view.passwordErrors;
  const role = view.user.role === 'admin' ? ta(L, 'roleAdmin') : ta(L, 'rolePractitioner');
  return page(
    ctx,
    ta(L, 'accountTitle'),
    html`<section class="narrow">
<h1>${ta(L, 'accountTitle')}</h1>
<p>${ta(L, 'accountSignedInAs', { email: view.user.email, role })}</p>
<h2>${ta(L, 'accountDetails')}</h2>
${errorList(L, view.detailErrors)}
<form method="post" action="/app/account" class="stack">
${csrfField(ctx)}
<p><label for="displayName">${ta(L, 'accountName')}</label>
<input id="displayName" name="displayName" required maxlength="200" autocomplete="name" value="${view.name}"></p>
<p><label for="language">${ta(L, 'accountLanguage')}</label>
<select id="language" name="language" aria-describedby="language-help">
${LOCALES.map((l) => html`<option value="${l}"${l === view.language ? html` selected` : ''}>${tr(l, 'langName')}</option>`)}
</select> <span id="language-help" class="hint">${ta(L, 'accountLanguageHelp')}</span></p>
<p><button type="submit" class="btn primary">${ta(L, 'accountSave')}</button></p>
</form>
<h2>${ta(L, 'accountPassword')}</h2>
<form method="post" action="/app/account/password" class="stack">
${csrfField(ctx)}
<input type="email" name="username" autocomplete="username" value="${view.user.email}" hidden>
<p><label for="currentPassword">${ta(L, 'accountCurrentPassword')}</label>
<input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required maxlength="256"${described(pe, 'currentPassword')}>${fieldError(pe, 'currentPassword')}</p>
<p id="password-rules">${tr(L, 'setPasswordRules')}</p>
<p><label for="password">${tr(L, 'newPassword')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256"${described(pe, 'password', 'password-rules')}>${fieldError(pe, 'password')}</p>
<p><label for="confirmation">${tr(L, 'confirmPassword')}</label>
<input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required minlength="12" maxlength="256"${described(pe, 'confirmation')}>${fieldError(pe, 'confirmation')}</p>
<p><button type="submit" class="btn primary">${ta(L, 'accountPasswordButton')}</button></p>
</form>
</section>`,
    { flash: view.flash },
  );
}
