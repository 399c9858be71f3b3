import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AJV_OPTIONS } from '../../api/app.ts';
import { fieldIssuesFromAjv } from '../../api/errors.ts';
import { validateSites } from '../../clinical/case-schema.ts';
import { validatePlanHours } from '../../clinical/checkin-plan.ts';
import { clinicSettingsPatchSchema } from '../../services/clinic-settings.ts';
import type { FieldIssue } from '../../services/errors.ts';
import { escalationPatchSchema } from '../../services/escalation-settings.ts';
import { validateJobSettings } from '../../services/job-settings.ts';
import { newPatientSchema } from '../../services/schemas/patients.ts';
import { newStaffSchema } from '../../services/staff.ts';
import { checkName } from '../../services/text.ts';
import { issueWords, knowsIssue } from './service-words.ts';

/**
 * The messages the dashboard's forms can meet, made by the real validators: the JSON schemas
 * run by Fastify's own Ajv with the app's options (as the dashboard's `schemaErrors` runs
 * them), and the services' and the clinical core's checks. A validator that changes its words
 * fails here until service-words.ts says the new ones for a person.
 */
const SCHEMAS = {
  patient: newPatientSchema,
  staff: newStaffSchema,
  settings: clinicSettingsPatchSchema,
  escalation: escalationPatchSchema,
} as const;

const BAD_INPUT: readonly [keyof typeof SCHEMAS, unknown][] = [
  ['patient', { displayName: '' }],
  ['patient', { displayName: 'x'.repeat(201), email: 'ana@', phone: 'call me', language: 'fr' }],
  ['staff', { email: 'not-mail', displayName: 'A', role: 'boss' }],
  ['staff', { displayName: 'A' }],
  ['settings', { name: '', emergencyNumber: '1-1-2', contactPhone: 'x' }],
  ['settings', { languages: [], checkInPlanHours: [0.1], thoracicPlanHours: [800] }],
  ['settings', { languages: ['en', 'en'], defaultLanguage: 'fr', retentionYears: 1.5 }],
  ['settings', { retentionYears: 0 }],
  ['escalation', { alertEmail: 'x'.repeat(255), emergencyMinutes: 'soon' }],
];

let schemaIssues: FieldIssue[] = [];

beforeAll(async () => {
  const app = Fastify({ ajv: { customOptions: AJV_OPTIONS } });
  app.post('/check', async (request) => {
    const { schema, input } = request.body as { schema: keyof typeof SCHEMAS; input: unknown };
    const validate = request.compileValidationSchema(SCHEMAS[schema]);
    validate(input);
    return fieldIssuesFromAjv(
      (validate.errors ?? []) as Parameters<typeof fieldIssuesFromAjv>[0],
      'body',
    );
  });
  for (const [schema, input] of BAD_INPUT) {
    const res = await app.inject({ method: 'POST', url: '/check', payload: { schema, input } });
    schemaIssues.push(...(res.json() as FieldIssue[]));
  }
  await app.close();
});

afterAll(() => {
  schemaIssues = [];
});

function nameIssues(): FieldIssue[] {
  const bad = [
    42,
    'two\nlines',
    'bell\u0007',
    'flip\u202Eed',
    'zero\u200Bwidth',
    '   ',
    'x'.repeat(201),
  ];
  return bad.flatMap((input) => {
    const r = checkName(input, { field: 'displayName', max: 200 });
    return r.ok ? [] : [{ field: r.field, message: r.message }];
  });
}

function planIssues(): FieldIssue[] {
  const cases: [unknown, boolean][] = [
    [[], false],
    [[0.1], false],
    [[4, 4], false],
    [[12, 24], true],
  ];
  return cases.flatMap(([hours, thoracic]) => {
    const r = validatePlanHours(hours, thoracic);
    return r.ok ? [] : [{ field: 'checkInPlanHours', message: r.error }];
  });
}

/** `escalation.contacts[0].email: not an e-mail address` → that field and message. */
function jobIssues(): FieldIssue[] {
  const checked = validateJobSettings(
    {
      contacts: [
        { name: 'On call', email: 'x@' },
        { name: 'Desk', phone: 'abc' },
        { name: 'N' },
        {},
      ],
      webhooks: [
        { id: 'a b', url: 'ftp://x', secret: 'short' },
        { id: 'lan', url: 'https://printer.local/hook', secret: 's'.repeat(16) },
        { id: 'ip', url: 'https://10.0.0.8/hook', secret: 's'.repeat(16) },
        { id: 'ip', url: 'https://example.org/hook', secret: 's'.repeat(16), format: 'xml' },
      ],
    },
    { allowHosts: [] },
  );
  if (checked.ok) return [];
  return checked.problems.map((p) => {
    const colon = p.indexOf(':');
    return { field: p.slice(0, colon), message: p.slice(colon + 1).trim() };
  });
}

function siteIssues(): FieldIssue[] {
  const lists: unknown[] = [
    [{ muscle: 'upper-trapezius', side: 'left', needleCount: 0 }],
    [
      { muscle: 'upper-trapezius', side: 'left', needleCount: 2 },
      { muscle: 'upper-trapezius', side: 'left', needleCount: 1 },
    ],
  ];
  return lists.flatMap((sites) => {
    const r = validateSites(sites);
    return r.ok ? [] : r.error.map((i) => ({ field: i.path, message: i.message }));
  });
}

/**
 * The services' checks that need a database (a clinic, its staff, a session), in their
 * words today; the dashboard's integration tests meet several of them through the forms.
 */
const STORED_CHECKS: readonly FieldIssue[] = [
  { field: 'email', message: 'is already used by someone in your clinic' },
  { field: 'role', message: 'last active admin' },
  { field: 'role', message: 'must be admin or practitioner' },
  { field: 'timeZone', message: 'unknown time zone; use an IANA name such as Europe/Madrid' },
  { field: 'languages', message: 'must include the default language (es)' },
  { field: 'coverage.mon[0]', message: 'must end after it starts' },
  { field: 'performedAt', message: 'must not be in the future' },
  { field: 'performedAt', message: 'must be within the last 30 days' },
  { field: 'performedAt', message: 'must be within the aftercare period (14 days)' },
  { field: 'email', message: 'is not an e-mail address' },
  { field: 'phone', message: 'is not a phone number' },
  { field: 'id', message: '1–40 letters, digits, - or _' },
  { field: 'secret', message: 'required for a new endpoint (at least 16 characters)' },
  { field: 'name', message: 'must not be blank' },
];

/** Words that would show an English message left inside a Spanish page. */
const ENGLISH =
  /\b(must|is|not|the|be|at|most|least|required|characters|number|should|an|or|and)\b/;

describe('service words: the validators’ messages said for a person', () => {
  const all = (): FieldIssue[] => [
    ...schemaIssues,
    ...nameIssues(),
    ...planIssues(),
    ...jobIssues(),
    ...siteIssues(),
    ...STORED_CHECKS,
  ];

  it('the validators produce the messages this test means to cover', () => {
    const messages = all().map((i) => i.message);
    expect(schemaIssues.length).toBeGreaterThanOrEqual(20);
    for (const expected of [
      'must match format "email"',
      'must NOT have more than 200 characters',
      'must NOT have fewer than 1 items',
      'must be integer',
      'must be <= 720',
      'must be >= 1',
      'must NOT have duplicate items (items ## 1 and 0 are identical)',
      'must be one of en, es',
      'is required',
      'must not contain invisible characters',
      'a thoracic plan needs its first check-in within 6 hours of the session',
      'needs an email or a phone',
      'must be a public host name (not localhost or a local-network name)',
      'must be a whole number from 1 to 100 (got 0)',
    ])
      expect(messages).toContain(expected);
    expect(messages.some((m) => m.startsWith('must match pattern'))).toBe(true);
    expect(messages.some((m) => m.startsWith('repeats sites[0]'))).toBe(true);
  });

  it('knows every one of them', () => {
    const unknown = all().filter((i) => !knowsIssue(i.message));
    expect(unknown).toEqual([]);
  });

  it('says each in Spanish without English words left in', () => {
    for (const issue of all()) {
      const es = issueWords('es', issue).replace(/https?:\/\/\S+|Europe\/Madrid|«\w+»/g, '');
      expect(es, issue.message).not.toMatch(ENGLISH);
      expect(es, issue.message).not.toBe(issue.message);
    }
  });

  it('never shows a person a regular expression, in either language', () => {
    for (const issue of all())
      for (const L of ['en', 'es'] as const) {
        const words = issueWords(L, issue);
        expect(words, issue.message).not.toMatch(/\^|\$"|\{\d|\[0-9|## /);
        expect(words, issue.message).not.toMatch(/must NOT|must be (?:integer|string|number)$/);
      }
  });

  it('says a pattern by its field: the emergency number as it is dialled, phones as phones', () => {
    const pattern = 'must match pattern "^[0-9+*#]{2,16}$"';
    expect(issueWords('en', { field: 'emergencyNumber', message: pattern })).toBe(
      'write the number as it is dialled: 2 to 16 digits (+, * and # allowed)',
    );
    expect(issueWords('es', { field: 'contactPhone', message: 'must match pattern "^x$"' })).toBe(
      'no es un número de teléfono',
    );
    expect(issueWords('es', { field: 'patient.phone', message: 'must match pattern "^x$"' })).toBe(
      'no es un número de teléfono',
    );
    expect(issueWords('en', { field: 'somethingElse', message: 'must match pattern "^x$"' })).toBe(
      'is not written the way this field needs',
    );
  });

  it('keeps the figures of a message and shows an unknown message as written', () => {
    expect(
      issueWords('es', {
        field: 'performedAt',
        message: 'must be within the aftercare period (21 days)',
      }),
    ).toBe('debe estar dentro del periodo de seguimiento (21 días)');
    expect(issueWords('es', { field: 'checkInPlanHours[0]', message: 'must be >= 0.5' })).toBe(
      'debe ser al menos 0,5',
    );
    expect(issueWords('es', { field: 'x', message: 'something new' })).toBe('something new');
    expect(issueWords('en', { field: 'email', message: 'is not an e-mail address' })).toBe(
      'is not an e-mail address',
    );
  });
});
