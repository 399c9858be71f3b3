import { html, raw } from '../../shared/html.ts';
import { ta } from '../account-messages.ts';
import { type PageContext, page } from '../layout.ts';
import { tr } from '../messages.ts';

export interface SignInView {
  readonly csrf: string;
  readonly next: string;
  readonly email: string;
  readonly error?: string | undefined;
  readonly notice?: string | undefined;
  /** When the address and password open accounts in several clinics: which to enter. */
  readonly clinics?: readonly { readonly id: string; readonly name: string }[] | undefined;
}

export function signInPage(ctx: PageContext, view: SignInView): string {
  const L = ctx.locale;
  return page(
    ctx,
    tr(L, 'signInTitle'),
    html`<section class="narrow">
<h1>${tr(L, 'signInTitle')}</h1>
<p>${tr(L, 'signInLead')}</p>
${view.notice === undefined ? '' : html`<p class="flash" role="status">${view.notice}</p>`}
${view.error === undefined ? '' : html`<p class="error-text" role="alert" id="sign-in-error">${view.error}</p>`}
<form method="post" action="/app/sign-in" class="stack">
<input type="hidden" name="_csrf" value="${view.csrf}">
<input type="hidden" name="next" value="${view.next}">
<p><label for="email">${tr(L, 'email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${view.email}"${view.error === undefined ? '' : html` aria-describedby="sign-in-error"`}></p>
${
  view.clinics === undefined
    ? ''
    : html`<fieldset><legend>${tr(L, 'signInClinic')}</legend>
${view.clinics.map(
  (c, i) =>
    html`<p class="side"><input type="radio" id="clinic-${c.id}" name="clinicId" value="${c.id}" required${i === 0 ? raw(' checked') : ''}><label for="clinic-${c.id}">${c.name}</label></p>`,
)}</fieldset>`
}
<p><label for="password">${tr(L, 'password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></p>
<p><button type="submit" class="btn primary">${tr(L, 'signInButton')}</button></p>
</form>
<p><a href="/app/forgot-password">${ta(L, 'forgotLink')}</a></p>
</section>`,
  );
}
