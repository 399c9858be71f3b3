/**
 * The one security-headers policy of every HTTP answer, JSON or HTML (ASVS 14.4;
 * docs/decisions/0630-security-headers.md). `registerSecurityHeaders` (called by `buildApp`)
 * gives every answer the common headers and, unless a narrower scope says otherwise, the
 * strictest content policy: nothing may load or run. The HTML doors declare the policy of their
 * own pages with `usePagePolicy` in their plugin scope:
 *
 * - `patient`: no script at all, our own style sheet and inline (data:) images only;
 * - `dashboard`: its one script and style sheet from our origin, nothing inline;
 * - `api` (JSON and problem+json under /api/v1) and everything else: `default-src 'none'`;
 * - `docs` (the OpenAPI browser at /api/docs): Swagger UI's own files from our origin.
 *
 * Answers hold patient data, so they are never cached unless a route said so itself (the
 * static files do).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ContentPolicyName = 'api' | 'docs' | 'patient' | 'dashboard';

export interface ContentPolicy {
  readonly csp: string;
  /** `X-Robots-Tag`, for pages that must never be indexed (patient links). */
  readonly robots?: string;
}

const directives = (...list: string[]) => list.join('; ');

export const CONTENT_POLICIES: Readonly<Record<ContentPolicyName, ContentPolicy>> = {
  api: { csp: directives("default-src 'none'", "frame-ancestors 'none'") },
  docs: {
    csp: directives(
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ),
  },
  patient: {
    csp: directives(
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self' data:",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ),
    robots: 'noindex, nofollow',
  },
  dashboard: {
    csp: directives(
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ),
  },
};

const COMMON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});
const COMMON_HEADERS_HTTPS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign({}, COMMON_HEADERS, {
    'strict-transport-security': 'max-age=15724800; includeSubDomains',
  }),
);

/** Headers every answer carries, whatever its type; built once, not per answer (decision 1448). */
export function commonSecurityHeaders(https: boolean): Readonly<Record<string, string>> {
  return https ? COMMON_HEADERS_HTTPS : COMMON_HEADERS;
}

/** The policy by path, for answers outside any page scope (the API, its docs, 404s). */
function policyOfPath(url: string): ContentPolicyName {
  return url === '/api/docs' || url.startsWith('/api/docs/') || url.startsWith('/api/docs?')
    ? 'docs'
    : 'api';
}

/**
 * The root hook: common headers on every answer; the content policy of the path unless the
 * route set one; `no-store` unless the route chose its own caching.
 */
export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string): void {
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(request, reply, publicUrl);
    return payload;
  });
}

/**
 * The root policy on one answer. The hook above calls it; so does the answer to an error Fastify
 * raises before routing (`frameworkErrors`), which runs no hooks.
 */
export function applySecurityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string,
): void {
  reply.header('x-request-id', request.id);
  reply.headers(commonSecurityHeaders(publicUrl.startsWith('https:')));
  if (!reply.hasHeader('content-security-policy')) {
    reply.header('content-security-policy', CONTENT_POLICIES[policyOfPath(request.url)].csp);
  }
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}

/**
 * The content policy of a door's pages: every answer of the plugin scope it is called in gets
 * it (after the root hook, so it replaces the default).
 */
export function usePagePolicy(app: FastifyInstance, name: 'patient' | 'dashboard'): void {
  const policy = CONTENT_POLICIES[name];
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', policy.csp);
    if (policy.robots !== undefined) reply.header('x-robots-tag', policy.robots);
    return payload;
  });
}
