import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { isLocale } from '../../../i18n/catalogue.ts';
import { changeOwnPassword, readOwnAccount, updateOwnAccount } from '../../../services/account.ts';
import { AppError } from '../../../services/errors.ts';
import type { PasswordProblem } from '../../../services/password-policy.ts';
import { isEmailAddress, requestPasswordReset } from '../../../services/password-reset.ts';
import { PasswordRefused } from '../../../services/set-password.ts';
import { ta } from '../account-messages.ts';
import { field, rememberLanguage, sendPage, staffOf, stateOf } from '../context.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';
import { accountPage, forgotPasswordPage } from '../pages/account.page.ts';
import { issueSignInCsrf, SIGN_IN_CSRF_COOKIE, signInCsrfValid } from '../session-auth.ts';

const PROBLEM_KEY: Readonly<Record<PasswordProblem, DashboardMessageKey>> = {
  too_short: 'pwTooShort',
  too_long: 'pwTooLong',
  common: 'pwCommon',
  mismatch: 'pwMismatch',
};

/**
 * "Forgot password" (`/app/forgot-password`, anonymous, the sign-in form's double-submit CSRF
 * cookie) and the signed-in person's own account (`/app/account`): parse → service
 * (password-reset.ts, account.ts) → page. The reset answer is one sentence whatever the address.
 */
export async function dashboardAccountRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const anonymous = { access: 'public', dashboard: 'anonymous' } as const;
  const staffOnly = { access: 'public', dashboard: 'staff' } as const;

  app.get('/forgot-password', { config: anonymous }, async (request, reply) => {
    const { page } = stateOf(request);
    const csrf = issueSignInCsrf(deps, reply, request.cookies[SIGN_IN_CSRF_COOKIE]);
    return sendPage(reply, 200, forgotPasswordPage(page, { csrf, email: '' }));
  });

  app.post('/forgot-password', { config: anonymous }, async (request, reply) => {
    const { page } = stateOf(request);
    const L = page.locale;
    const email = field(request.body, 'email').trim().slice(0, 254);
    const csrf = issueSignInCsrf(deps, reply, request.cookies[SIGN_IN_CSRF_COOKIE]);
    const again = (status: number, error: string) =>
      sendPage(reply, status, forgotPasswordPage(page, { csrf, email, error }));
    if (!signInCsrfValid(request, request.body)) return again(403, tr(L, 'signInExpiredForm'));
    if (!isEmailAddress(email)) return again(400, ta(L, 'errEmail'));
    try {
      await requestPasswordReset(deps, requestActor(request), { email });
    } catch (error) {
      if (error instanceof AppError && error.code === 'too_many_requests') {
        if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
        const minutes = Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60));
        return again(429, ta(L, 'forgotTooMany', { minutes }));
      }
      if (error instanceof AppError && error.code === 'validation_failed')
        return again(400, ta(L, 'errEmail'));
      throw error;
    }
    return sendPage(reply, 200, forgotPasswordPage(page, { csrf, email: '', sentTo: email }));
  });

  app.get<{ Querystring: { done?: string } }>(
    '/account',
    { config: staffOnly },
    async (request, reply) => {
      const { page } = staffOf(request);
      const L = page.locale;
      const user = await readOwnAccount(deps, requestActor(request));
      const done = request.query.done;
      const flash =
        done === 'saved'
          ? ta(L, 'accountSaved')
          : done === 'password'
            ? ta(L, 'accountPasswordChanged')
            : undefined;
      return sendPage(
        reply,
        200,
        accountPage(page, {
          user,
          name: user.displayName,
          language: user.language ?? L,
          flash,
          detailErrors: [],
          passwordErrors: {},
        }),
      );
    },
  );

  app.post('/account', { config: staffOnly }, async (request, reply) => {
    const { page } = staffOf(request);
    const L = page.locale;
    const actor = requestActor(request);
    const displayName = field(request.body, 'displayName').slice(0, 400);
    const language = field(request.body, 'language').slice(0, 10);
    try {
      const user = await updateOwnAccount(deps, actor, { displayName, language });
      // The dashboard follows the person's language from now on, this browser included.
      if (user.language !== null) rememberLanguage(reply, user.language, deps.config.cookieSecure);
      return reply.redirect(`/app/account?done=saved&lang=${user.language ?? L}`, 303);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'validation_failed')) throw error;
      const user = await readOwnAccount(deps, actor);
      const errors = error.errors.map((e) =>
        e.field === 'language' ? ta(L, 'errLanguage') : ta(L, 'errYourName'),
      );
      return sendPage(
        reply,
        400,
        accountPage(page, {
          user,
          name: displayName,
          language: isLocale(language) ? language : L,
          detailErrors: errors,
          passwordErrors: {},
        }),
      );
    }
  });

  app.post('/account/password', { config: staffOnly }, async (request, reply) => {
    const { page, staff } = staffOf(request);
    const L = page.locale;
    const actor = requestActor(request);
    try {
      await changeOwnPassword(deps, actor, {
        currentPassword: field(request.body, 'currentPassword').slice(0, 300),
        password: field(request.body, 'password').slice(0, 300),
        confirmation: field(request.body, 'confirmation').slice(0, 300),
        keepSessionHash: staff.sessionHash,
      });
      return reply.redirect('/app/account?done=password', 303);
    } catch (error) {
      const errors: Record<string, string> = {};
      let status = 400;
      if (error instanceof PasswordRefused) {
        const pw = error.problems.filter((p) => p !== 'mismatch');
        if (pw.length > 0) errors.password = pw.map((p) => tr(L, PROBLEM_KEY[p])).join(' ');
        if (error.problems.includes('mismatch')) errors.confirmation = tr(L, 'pwMismatch');
      } else if (error instanceof AppError && error.code === 'validation_failed') {
        errors.currentPassword = ta(L, 'accountCurrentWrong');
      } else if (error instanceof AppError && error.code === 'too_many_requests') {
        status = 429;
        errors.currentPassword = tr(L, 'signInLocked', {
          minutes: Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60)),
        });
      } else throw error;
      const user = await readOwnAccount(deps, actor);
      return sendPage(
        reply,
        status,
        accountPage(page, {
          user,
          name: user.displayName,
          language: user.language ?? L,
          detailErrors: [],
          passwordErrors: errors,
        }),
      );
    }
  });
}
