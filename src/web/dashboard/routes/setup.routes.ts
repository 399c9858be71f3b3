import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { setSessionCookie } from '../../../api/auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import { completeFirstRunSetup, readSetupLink, SetupRefused } from '../../../services/first-run.ts';
import type { PasswordProblem } from '../../../services/password-policy.ts';
import { signIn } from '../../../services/sign-in.ts';
import { PATHS } from '../../../services/urls.ts';
import { html } from '../../shared/html.ts';
import { type AccountMessageKey, ta } from '../account-messages.ts';
import { field, sendPage, stateOf } from '../context.ts';
import { type PageContext, page } from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';
import { type SetupValues, setupPage } from '../pages/setup.page.ts';

const FIELD_KEY: Readonly<Record<string, AccountMessageKey>> = {
  name: 'errName',
  timeZone: 'errTimeZone',
  country: 'errCountry',
  language: 'errLanguage',
  contactPhone: 'errPhone',
  adminName: 'errYourName',
  adminEmail: 'errEmail',
};

const PROBLEM_KEY: Readonly<Record<PasswordProblem, DashboardMessageKey>> = {
  too_short: 'pwTooShort',
  too_long: 'pwTooLong',
  common: 'pwCommon',
  mismatch: 'pwMismatch',
};

/** A page with a heading and one paragraph (the gone link). */
function textPage(ctx: PageContext, title: string, text: string): string {
  return page(
    ctx,
    title,
    html`<h1>${title}</h1><p>${text}</p><p><a href="/app/sign-in">${ta(ctx.locale, 'backToSignIn')}</a></p>`,
  );
}

/** Every IANA zone this server's ICU knows (the core's `isTimeZone` accepts them). */
const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/**
 * `/setup/:token` (decision 1320): the first-run page `needlecare serve` prints on a database
 * with no clinic. parse → `readSetupLink` / `completeFirstRunSetup` → page; then sign-in
 * through the same service as the sign-in form. The token in the path authorises the form (as
 * on the set-password page, no CSRF field). Unknown 404; used, expired, or a clinic already
 * there 410. Bad input: the form again with each field's message, nothing stored.
 */
export async function setupRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const anonymous = { access: 'public', dashboard: 'anonymous' } as const;

  const gone = (request: FastifyRequest) => {
    const ctx = stateOf(request).page;
    return textPage(ctx, ta(ctx.locale, 'setupGoneTitle'), ta(ctx.locale, 'setupGoneText'));
  };
  const form = (
    request: FastifyRequest,
    token: string,
    values: SetupValues,
    errors: Record<string, string>,
  ) => {
    const ctx = stateOf(request).page;
    return setupPage(ctx, {
      action: `${PATHS.setup(token)}?lang=${ctx.locale}`,
      values,
      errors,
      timeZones: TIME_ZONES,
    });
  };

  app.get<{ Params: { token: string } }>(
    '/setup/:token',
    { config: anonymous },
    async (request, reply) => {
      try {
        await readSetupLink(deps, requestActor(request), { token: request.params.token });
      } catch (error) {
        if (error instanceof AppError && error.code === 'link_gone')
          return sendPage(reply, 410, gone(request));
        throw error;
      }
      const L = stateOf(request).page.locale;
      const values: SetupValues = {
        name: '',
        timeZone: '',
        country: '',
        language: L,
        contactPhone: '',
        adminName: '',
        adminEmail: '',
      };
      return sendPage(reply, 200, form(request, request.params.token, values, {}));
    },
  );

  app.post<{ Params: { token: string } }>(
    '/setup/:token',
    { config: anonymous },
    async (request, reply) => {
      const L = stateOf(request).page.locale;
      const token = request.params.token;
      const b = request.body;
      const values: SetupValues = {
        name: field(b, 'name').slice(0, 400),
        timeZone: field(b, 'timeZone').slice(0, 100),
        country: field(b, 'country').slice(0, 10),
        language: field(b, 'language').slice(0, 10),
        contactPhone: field(b, 'contactPhone').slice(0, 60),
        adminName: field(b, 'adminName').slice(0, 400),
        adminEmail: field(b, 'adminEmail').trim().slice(0, 300),
      };
      const password = field(b, 'password');
      const confirmation = field(b, 'confirmation');
      const actor = requestActor(request);
      try {
        const { admin } = await completeFirstRunSetup(deps, actor, {
          token,
          clinic: values,
          password,
          confirmation,
        });
        const session = await signIn(deps, actor, { email: admin.email, password });
        setSessionCookie(deps, reply, session);
        return reply.redirect('/app', 303);
      } catch (error) {
        if (error instanceof AppError && error.code === 'link_gone')
          return sendPage(reply, 410, gone(request));
        if (error instanceof SetupRefused) {
          const errors: Record<string, string> = {};
          for (const f of error.fields) {
            const key = FIELD_KEY[f];
            if (key !== undefined && errors[f] === undefined) errors[f] = ta(L, key);
          }
          const pw = error.passwordProblems.filter((p) => p !== 'mismatch');
          if (pw.length > 0) errors.password = pw.map((p) => tr(L, PROBLEM_KEY[p])).join(' ');
          if (error.passwordProblems.includes('mismatch'))
            errors.confirmation = tr(L, PROBLEM_KEY.mismatch);
          return sendPage(reply, 400, form(request, token, values, errors));
        }
        throw error;
      }
    },
  );
}
