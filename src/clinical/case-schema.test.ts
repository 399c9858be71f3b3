import { describe, expect, it } from 'vitest';
import { formatIssues, validateCase, validateReportInput, validateSites } from './case-schema.ts';

const good = {
  session: { sites: [{ muscle: 'upper-trapezius', side: 'left' }] },
  reports: [{ hoursAfter: 5, soreness: 3, symptoms: [] }],
};

describe('validateCase', () => {
  it('accepts the RULES.md example shape', () => {
    expect(validateCase(good)).toEqual({ ok: true, value: good });
  });

  it.each([
    ['not an object', 42, '(case)', /must be an object/],
    ['missing session', { reports: good.reports }, 'session', /must be an object with "sites"/],
    [
      'unknown top-level field',
      { ...good, patient: 'x' },
      'patient',
      /unknown field; allowed fields: session, reports/,
    ],
    ['empty sites', { ...good, session: { sites: [] } }, 'session.sites', /1 to 40/],
    [
      'unknown muscle',
      { ...good, session: { sites: [{ muscle: 'heart' }] } },
      'session.sites[0].muscle',
      /unknown muscle "heart"; allowed: .*upper-trapezius/,
    ],
    [
      'bad side',
      { ...good, session: { sites: [{ muscle: 'deltoid', side: 'up' }] } },
      'session.sites[0].side',
      /left, right, midline/,
    ],
    [
      'needle count in a case',
      { ...good, session: { sites: [{ muscle: 'deltoid', needleCount: 2 }] } },
      'session.sites[0].needleCount',
      /unknown field/,
    ],
    ['no reports', { ...good, reports: [] }, 'reports', /1 to 500/],
    [
      'negative hour',
      { ...good, reports: [{ hoursAfter: -1, soreness: 3, symptoms: [] }] },
      'reports[0].hoursAfter',
      /from 0/,
    ],
    [
      'hour as text',
      { ...good, reports: [{ hoursAfter: '5', soreness: 3, symptoms: [] }] },
      'reports[0].hoursAfter',
      /number of hours/,
    ],
    [
      'soreness 11',
      { ...good, reports: [{ hoursAfter: 5, soreness: 11, symptoms: [] }] },
      'reports[0].soreness',
      /whole number from 0 to 10 \(got 11\)/,
    ],
    [
      'soreness 2.5',
      { ...good, reports: [{ hoursAfter: 5, soreness: 2.5, symptoms: [] }] },
      'reports[0].soreness',
      /whole number/,
    ],
    [
      'symptoms missing',
      { ...good, reports: [{ hoursAfter: 5, soreness: 3 }] },
      'reports[0].symptoms',
      /array of symptom codes/,
    ],
    [
      'unknown symptom',
      { ...good, reports: [{ hoursAfter: 5, soreness: 3, symptoms: ['headache'] }] },
      'reports[0].symptoms[0]',
      /unknown symptom "headache"; allowed: chest_pain/,
    ],
    [
      'duplicate symptom',
      { ...good, reports: [{ hoursAfter: 5, soreness: 3, symptoms: ['fever', 'fever'] }] },
      'reports[0].symptoms[1]',
      /listed twice/,
    ],
    [
      'out of order',
      {
        ...good,
        reports: [
          { hoursAfter: 5, soreness: 3, symptoms: [] },
          { hoursAfter: 4, soreness: 3, symptoms: [] },
        ],
      },
      'reports[1].hoursAfter',
      /time order/,
    ],
    [
      'unknown report field',
      { ...good, reports: [{ hoursAfter: 5, soreness: 3, symptoms: [], mood: 1 }] },
      'reports[0].mood',
      /unknown field/,
    ],
  ])('%s → names %s', (_name, input, path, message) => {
    const result = validateCase(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.error.find((i) => i.path === path);
    expect(issue, formatIssues(result.error)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('prefixes paths for nested use', () => {
    const result = validateCase(
      { ...good, reports: [{ hoursAfter: 5, soreness: 12, symptoms: [] }] },
      'cases[3]',
    );
    expect(result.ok ? [] : result.error.map((i) => i.path)).toEqual([
      'cases[3].reports[0].soreness',
    ]);
  });

  it('accepts reports that share an hour', () => {
    expect(
      validateCase({
        ...good,
        reports: [
          { hoursAfter: 5, soreness: 3, symptoms: [] },
          { hoursAfter: 5, soreness: 4, symptoms: [] },
        ],
      }).ok,
    ).toBe(true);
  });
});

describe('validateReportInput', () => {
  it('accepts soreness and symptoms, trims the note and drops an empty one', () => {
    expect(validateReportInput({ soreness: 4, symptoms: ['bruising'], note: '  ok  ' })).toEqual({
      ok: true,
      value: { soreness: 4, symptoms: ['bruising'], note: 'ok' },
    });
    expect(validateReportInput({ soreness: 0, note: ' ' })).toEqual({
      ok: true,
      value: { soreness: 0, symptoms: [] },
    });
  });
  it('accepts a red-flag report without a number (RULES.md v1.1): soreness is null', () => {
    expect(validateReportInput({ symptoms: ['chest_pain'] })).toEqual({
      ok: true,
      value: { soreness: null, symptoms: ['chest_pain'] },
    });
    expect(
      validateReportInput({ soreness: null, symptoms: ['fever', 'weakness_beyond_area'] }),
    ).toEqual({
      ok: true,
      value: { soreness: null, symptoms: ['fever', 'weakness_beyond_area'] },
    });
  });
  it('keeps a long note for the service to cut rather than refusing the report', () => {
    expect(validateReportInput({ soreness: 4, symptoms: [], note: 'x'.repeat(5000) }).ok).toBe(
      true,
    );
  });
  it.each([
    [{ soreness: '4', symptoms: [] }, 'soreness'],
    [{ symptoms: [] }, 'soreness'],
    [{ soreness: null, symptoms: ['tenderness'] }, 'soreness'],
    [{ soreness: 4, symptoms: 'fever' }, 'symptoms'],
    [{ soreness: 4, symptoms: [], note: 42 }, 'note'],
    [{ soreness: 4, symptoms: [], extra: true }, 'extra'],
  ])('rejects %j naming %s', (input, path) => {
    const result = validateReportInput(input);
    expect(result.ok ? [] : result.error.map((i) => i.path)).toContain(path);
  });
});

describe('validateSites', () => {
  it('accepts needle counts and rejects bad ones', () => {
    expect(validateSites([{ muscle: 'deltoid', side: 'left', needleCount: 3 }]).ok).toBe(true);
    const bad = validateSites([{ muscle: 'deltoid', needleCount: 0 }]);
    expect(bad.ok ? [] : bad.error.map((i) => i.path)).toEqual(['sites[0].needleCount']);
  });

  it('accepts midline only for muscles that lie on the midline, naming the field (decision 1220)', () => {
    const limb = validateSites([
      { muscle: 'lumbar-paraspinals', side: 'midline' },
      { muscle: 'deltoid', side: 'midline' },
    ]);
    expect(limb.ok ? [] : limb.error).toEqual([
      {
        path: 'sites[1].side',
        message: expect.stringContaining('deltoid is not needled at the midline'),
      },
    ]);
    expect(validateSites([{ muscle: 'suboccipitals', side: 'midline' }]).ok).toBe(true);
    // A triage case (sessions recorded before the rule) still takes any side.
    expect(
      validateCase({
        session: { sites: [{ muscle: 'deltoid', side: 'midline' }] },
        reports: [{ hoursAfter: 4, soreness: 3, symptoms: [] }],
      }).ok,
    ).toBe(true);
  });

  it('refuses the same muscle and side twice (issue 12, finding 6)', () => {
    const twice = validateSites([
      { muscle: 'deltoid', side: 'left' },
      { muscle: 'upper-trapezius', side: 'left' },
      { muscle: 'deltoid', side: 'left', needleCount: 2 },
    ]);
    expect(twice.ok ? [] : twice.error).toEqual([
      { path: 'sites[2]', message: expect.stringContaining('repeats sites[0] (deltoid, left)') },
    ]);
    const noSide = validateSites([{ muscle: 'deltoid' }, { muscle: 'deltoid' }]);
    expect(noSide.ok ? [] : noSide.error.map((i) => i.path)).toEqual(['sites[1]']);
    // Both sides of one muscle are two sites.
    expect(
      validateSites([
        { muscle: 'deltoid', side: 'left' },
        { muscle: 'deltoid', side: 'right' },
      ]).ok,
    ).toBe(true);
  });
});
