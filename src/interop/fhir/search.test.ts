import { describe, expect, it } from 'vitest';
import { toFhirResources } from './map.ts';
import { matchAll, parseDateTest, parseSearch, SearchError, searchsetBundle } from './search.ts';
import { catalogueRecord } from './test-fixtures.ts';

describe('FHIR date parameters', () => {
  it.each([
    ['2026-11-02', 'eq', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
    ['ge2026-11', 'ge', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['lt2026', 'lt', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['gt2026-11-02T09:00:00Z', 'gt', '2026-11-02T09:00:00.000Z', '2026-11-02T09:00:01.000Z'],
    ['le2026-11-02T10:00:00+01:00', 'le', '2026-11-02T09:00:00.000Z', '2026-11-02T09:00:01.000Z'],
  ])('%s → %s [%s, %s)', (raw, prefix, start, end) => {
    const t = parseDateTest('date', raw);
    expect(t.prefix).toBe(prefix);
    expect(new Date(t.start).toISOString()).toBe(start);
    expect(new Date(t.end).toISOString()).toBe(end);
  });

  it.each(['yesterday', '2026-13', '2026-02-30', '2026-00', '26-11-02', 'ge', '2026-11-02T09:00'])(
    'refuses %s',
    (raw) => {
      expect(() => parseDateTest('date', raw)).toThrow(SearchError);
    },
  );
});

describe('parseSearch', () => {
  it('refuses parameters a type does not have, naming them', () => {
    expect(() => parseSearch('Patient', [['date', '2026']])).toThrow(/date/);
    expect(() => parseSearch('Observation', [['code', 'x']])).toThrow(/code/);
    expect(() => parseSearch('Practitioner', [['patient', 'x']])).toThrow(/patient/);
    expect(() => parseSearch('Patient', [['_count', '201']])).toThrow(/_count/);
  });

  it('reads patient as Patient/<id> or <id>', () => {
    expect(parseSearch('Flag', [['patient', 'Patient/abc']]).patient).toBe('abc');
    expect(parseSearch('Flag', [['subject', 'abc']]).patient).toBe('abc');
  });
});

describe('matchAll and paging', () => {
  const all = toFhirResources(catalogueRecord());

  it('ANDs repeated date parameters', () => {
    const q = parseSearch('Procedure', [
      ['date', 'ge2026-11-02T10:00:00Z'],
      ['date', 'lt2026-11-02T12:00:00Z'],
    ]);
    const found = matchAll('Procedure', q, all);
    expect(found.map((p) => (p as { performedDateTime?: string }).performedDateTime)).toEqual([
      '2026-11-02T10:00:00.000Z',
      '2026-11-02T11:00:00.000Z',
    ]);
  });

  it('finds a Provenance through the patient of its RiskAssessment', () => {
    const ra = all.find((r) => r.resourceType === 'RiskAssessment') as {
      subject: { reference: string };
    };
    const patient = ra.subject.reference.replace('Patient/', '');
    const found = matchAll('Provenance', parseSearch('Provenance', [['patient', patient]]), all);
    expect(found).toHaveLength(1);
  });

  it('pages with next and previous links that cover every match once', () => {
    const q = parseSearch('Patient', [['_count', '7']]);
    const matches = matchAll('Patient', q, all);
    const self = new URL('https://x.test/fhir/R4/Patient?_count=7');
    const first = searchsetBundle(matches, q, 'https://x.test/fhir/R4', self);
    expect(first.total).toBe(matches.length);
    const next = first.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toContain('_offset=7');
    const second = searchsetBundle(
      matches,
      { ...q, offset: 7 },
      'https://x.test/fhir/R4',
      new URL(next ?? ''),
    );
    expect(second.link?.find((l) => l.relation === 'previous')?.url).toContain('_offset=0');
    expect(first.entry?.[0]?.fullUrl).toMatch(/^https:\/\/x\.test\/fhir\/R4\/Patient\//);
  });
});
