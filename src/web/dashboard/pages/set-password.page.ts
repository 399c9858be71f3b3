import { html } from '../../shared/html.ts';
import { errorList, type PageContext, page } from '../layout.ts';
import { tr } from '../messages.ts';

export interface SetPasswordView {
  /** Where the form posts (the link's own path). */
  readonly action: string;
  readonly name: string;
  readonly email: string;
  readonly clinicName: string;
  /** Problems already in the page's language. */
  readonly errors: readonly string[];
}

/**
 * Choose a password through a set-password link: no script needed, the rules stated before
 * the fields, each field labelled; the e-mail sits in a hidden username field so password
 * managers save the pair.
 */
export function setPasswordPage(ctx: PageContext, view: SetPasswordView): string {
  const L = ctx.locale;
  const invalid = view.errors.length > 0 ? html` aria-invalid="true"` : '';
  return page(
    ctx,
    tr(L, 'setPasswordTitle'),
    html`<section class="narrow">
<h1>${tr(L, 'setPasswordTitle')}</h1>
<p>${tr(L, 'setPasswordLead', { name: view.name, clinic: view.clinicName, email: view.email })}</p>
${errorList(L, view.errors)}
<p id="password-rules">${tr(L, 'setPasswordRules')}</p>
<form method="post" action="${view.action}" class="stack">
<input type="email" name="username" autocomplete="username" value="${view.email}" hidden>
<p><label for="password">${tr(L, 'newPassword')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" aria-describedby="password-rules"${invalid}></p>
<p><label for="confirmation">${tr(L, 'confirmPassword')}</label>
<input id="confirmation" name="confirmation" type="password" autocomplete="new-password" required minlength="12" maxlength="256"${invalid}></p>
<p><button type="submit" class="btn primary">${tr(L, 'setPasswordButton')}</button></p>
</form>
</section>`,
  );
}
