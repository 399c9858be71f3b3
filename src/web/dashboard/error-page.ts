/**
 * The dashboard's page for the errors the app's handler answers under `/app` (issue 12, finding
 * 5): those Fastify raises before any route runs (a badly encoded or too long address). Errors
 * inside the dashboard's routes have their own handler (dashboard.plugin.ts); both answer HTML.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { useErrorPage } from '../../api/errors.ts';
import { CONTENT_POLICIES } from '../../api/security-headers.ts';
import { LOCALES } from '../../clinical/types.ts';
import { negotiateLocale } from '../../i18n/catalogue.ts';
import type { AppError } from '../../services/errors.ts';
import { LANG_COOKIE, sendPage } from './context.ts';
import { messagePage } from './layout.ts';

export function registerDashboardErrorPage(app: FastifyInstance): void {
  useErrorPage(app, {
    prefix: '/app',
    send(request: FastifyRequest, reply: FastifyReply, error: AppError) {
      const query = request.query as Record<string, unknown> | null | undefined;
      const asked = query?.lang;
      const locale = negotiateLocale({
        explicit: typeof asked === 'string' ? asked : request.cookies?.[LANG_COOKIE],
        acceptLanguage: request.headers['accept-language'],
        offered: LOCALES,
        fallback: 'en',
      });
      const ctx = {
        locale,
        staff: null,
        clinicName: '',
        path: '/app',
        languages: LOCALES,
        openEmergencies: 0,
      };
      const [title, text] =
        error.status === 404
          ? (['notFoundTitle', 'notFoundText'] as const)
          : error.status >= 500
            ? (['serverErrorTitle', 'serverErrorText'] as const)
            : (['badRequestTitle', 'badRequestText'] as const);
      reply.header('content-security-policy', CONTENT_POLICIES.dashboard.csp);
      return sendPage(reply, error.status, messagePage(ctx, title, text));
    },
  });
}
