import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { clearSessionCookie, setSessionCookie } from '../../../api/auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import { ClinicChoiceNeeded, signIn, signOut } from '../../../services/sign-in.ts';
import { field, rememberLanguage, sendPage, staffOf, stateOf } from '../context.ts';
import { tr } from '../messages.ts';
import { signInPage } from '../pages/sign-in.page.ts';
import {
  issueSignInCsrf,
  loadStaff,
  SIGN_IN_CSRF_COOKIE,
  safeNext,
  signInCsrfValid,
} from '../session-auth.ts';

/** Sign in and out through the same services as the API (lock-out, rate limit, audit) and its session cookie. */
export async function dashboardAuthRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const anonymous = { access: 'public', dashboard: 'anonymous' } as const;

  app.get<{ Querystring: { next?: string; signedOut?: string } }>(
    '/sign-in',
    { config: anonymous },
    async (request, reply) => {
      if ((await loadStaff(deps, request)) !== null)
        return reply.redirect(safeNext(request.query.next), 303);
      const { page } = stateOf(request);
      const csrf = issueSignInCsrf(deps, reply, request.cookies[SIGN_IN_CSRF_COOKIE]);
      return sendPage(
        reply,
        200,
        signInPage(page, {
          csrf,
          next: safeNext(request.query.next),
          email: '',
          notice: request.query.signedOut === undefined ? undefined : tr(page.locale, 'signedOut'),
        }),
      );
    },
  );

  app.post('/sign-in', { config: anonymous }, async (request, reply) => {
    const { page } = stateOf(request);
    const L = page.locale;
    const email = field(request.body, 'email').trim().slice(0, 254);
    const password = field(request.body, 'password').slice(0, 256);
    const next = safeNext(field(request.body, 'next'));
    const clinicId = field(request.body, 'clinicId');
    const csrf = issueSignInCsrf(deps, reply, request.cookies[SIGN_IN_CSRF_COOKIE]);
    const again = (status: number, error: string) =>
      sendPage(reply, status, signInPage(page, { csrf, next, email, error }));
    if (!signInCsrfValid(request, request.body)) return again(403, tr(L, 'signInExpiredForm'));
    if (email === '' || password === '') return again(401, tr(L, 'signInWrong'));
    try {
      const result = await signIn(deps, requestActor(request), {
        email,
        password,
        ...(clinicId === '' ? {} : { clinicId }),
      });
      setSessionCookie(deps, reply, result);
      // The dashboard speaks the person's own language (their account page sets it).
      if (result.user.language !== null)
        rememberLanguage(reply, result.user.language, deps.config.cookieSecure);
      reply.clearCookie(SIGN_IN_CSRF_COOKIE, { path: '/app' });
      return reply.redirect(next, 303);
    } catch (error) {
      // The password proved each of these accounts: the person chooses the clinic (decision 1331).
      if (error instanceof ClinicChoiceNeeded)
        return sendPage(
          reply,
          409,
          signInPage(page, {
            csrf,
            next,
            email,
            error: tr(L, 'signInChooseClinic'),
            clinics: error.clinics,
          }),
        );
      if (error instanceof AppError && error.code === 'unauthenticated')
        return again(401, tr(L, 'signInWrong'));
      // Only the right password gets this far: the clinic is suspended (decision 1300).
      if (error instanceof AppError && error.code === 'forbidden')
        return again(403, tr(L, 'signInSuspended'));
      if (error instanceof AppError && error.code === 'too_many_requests') {
        if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
        return again(
          429,
          tr(L, 'signInLocked', { minutes: Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60)) }),
        );
      }
      throw error;
    }
  });

  app.post(
    '/sign-out',
    { config: { access: 'public', dashboard: 'staff' } },
    async (request, reply) => {
      const { staff } = staffOf(request);
      await signOut(deps, requestActor(request), { sessionHash: staff.sessionHash });
      clearSessionCookie(deps, reply);
      return reply.redirect('/app/sign-in?signedOut=1', 303);
    },
  );
}
