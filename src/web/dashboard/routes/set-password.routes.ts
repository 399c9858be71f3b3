import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { setSessionCookie } from '../../../api/auth/auth.plugin.ts';
import { AppError } from '../../../services/errors.ts';
import type { PasswordProblem } from '../../../services/password-policy.ts';
import {
  PasswordRefused,
  readSetPasswordLink,
  setPasswordWithLink,
} from '../../../services/set-password.ts';
import { signIn } from '../../../services/sign-in.ts';
import { PATHS } from '../../../services/urls.ts';
import { field, sendPage, stateOf } from '../context.ts';
import { messagePage } from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';
import { setPasswordPage } from '../pages/set-password.page.ts';

const PROBLEM_KEY: Readonly<Record<PasswordProblem, DashboardMessageKey>> = {
  too_short: 'pwTooShort',
  too_long: 'pwTooLong',
  common: 'pwCommon',
  mismatch: 'pwMismatch',
};

/**
 * `/set-password/:token` (outside `/app`: the link the product sends, services/urls.ts):
 * parse → `readSetPasswordLink` / `setPasswordWithLink` → page; then sign-in through the same
 * service as the sign-in form. The token in the path is the secret that authorises the form,
 * so it needs no CSRF token of its own (decision 1300). Gone links answer 410.
 */
export async function setPasswordRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const anonymous = { access: 'public', dashboard: 'anonymous' } as const;

  const gone = (request: Parameters<typeof stateOf>[0]) =>
    messagePage(stateOf(request).page, 'linkGoneTitle', 'linkGoneText');

  app.get<{ Params: { token: string } }>(
    '/set-password/:token',
    { config: anonymous },
    async (request, reply) => {
      const { page } = stateOf(request);
      try {
        const link = await readSetPasswordLink(deps, requestActor(request), {
          token: request.params.token,
        });
        return sendPage(
          reply,
          200,
          setPasswordPage(page, {
            action: `${PATHS.setPassword(request.params.token)}?lang=${page.locale}`,
            name: link.user.displayName,
            email: link.user.email,
            clinicName: link.clinicName,
            errors: [],
          }),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'link_gone')
          return sendPage(reply, 410, gone(request));
        throw error;
      }
    },
  );

  app.post<{ Params: { token: string } }>(
    '/set-password/:token',
    { config: anonymous },
    async (request, reply) => {
      const { page } = stateOf(request);
      const L = page.locale;
      const token = request.params.token;
      const password = field(request.body, 'password');
      const confirmation = field(request.body, 'confirmation');
      const actor = requestActor(request);
      try {
        const user = await setPasswordWithLink(deps, actor, { token, password, confirmation });
        const session = await signIn(deps, actor, { email: user.email, password });
        setSessionCookie(deps, reply, session);
        return reply.redirect('/app', 303);
      } catch (error) {
        if (error instanceof AppError && error.code === 'link_gone')
          return sendPage(reply, 410, gone(request));
        if (error instanceof PasswordRefused) {
          const link = await readSetPasswordLink(deps, actor, { token });
          return sendPage(
            reply,
            400,
            setPasswordPage(page, {
              action: `${PATHS.setPassword(token)}?lang=${L}`,
              name: link.user.displayName,
              email: link.user.email,
              clinicName: link.clinicName,
              errors: error.problems.map((p) => tr(L, PROBLEM_KEY[p])),
            }),
          );
        }
        throw error;
      }
    },
  );
}
