import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';

/**
 * FHIR search over the resources of one clinic record, as pure functions: the parameters
 * this server supports (see capability.ts), parsed strictly — an unknown parameter or a bad
 * value is an error, never silently ignored, so a query can never return more than asked for.
 */
export const SEARCHABLE_TYPES = [
  'Patient',
  'Practitioner',
  'Organization',
  'Procedure',
  'Questionnaire',
  'QuestionnaireResponse',
  'Observation',
  'RiskAssessment',
  'Flag',
  'Task',
  'Provenance',
  'Device',
] as const;
export type SearchableType = (typeof SEARCHABLE_TYPES)[number];

export function isSearchableType(type: string): type is SearchableType {
  return (SEARCHABLE_TYPES as readonly string[]).includes(type);
}

/** Types of the patient compartment: these take `patient` and `date`. */
export const PATIENT_TYPES: readonly SearchableType[] = [
  'Procedure',
  'QuestionnaireResponse',
  'Observation',
  'RiskAssessment',
  'Flag',
  'Task',
  'Provenance',
];

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 200;

/** A search problem: the parameter and what is wrong with it. */
export class SearchError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'SearchError';
    this.parameter = parameter;
  }
}

type Prefix = 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';
interface DateTest {
  readonly prefix: Prefix;
  readonly start: number;
  readonly end: number;
}

export interface SearchQuery {
  readonly ids: readonly string[];
  readonly patient: string | undefined;
  readonly identifier: { readonly system: string | undefined; readonly value: string } | undefined;
  readonly date: readonly DateTest[];
  readonly lastUpdated: readonly DateTest[];
  readonly count: number;
  readonly offset: number;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** `ge2026-11-02` → the prefix and the instant range the value covers. */
export function parseDateTest(parameter: string, raw: string): DateTest {
  const match = /^(eq|ne|ge|gt|le|lt)?(.*)$/.exec(raw);
  const prefix = (match?.[1] ?? 'eq') as Prefix;
  const value = match?.[2] ?? '';
  const parts = DATE.exec(value);
  if (parts === null) {
    throw new SearchError(
      parameter,
      `${parameter}: "${raw}" is not a FHIR date (e.g. ge2026-11-02 or 2026-11-02T09:00:00Z)`,
    );
  }
  const [, y, mo, d, h] = parts;
  let start: number;
  let end: number;
  if (h !== undefined) {
    start = Date.parse(value);
    // A time to the second (or finer): the range is that second.
    end = start + 1000;
  } else if (d !== undefined) {
    start = Date.UTC(Number(y), Number(mo) - 1, Number(d));
    end = Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1);
  } else if (mo !== undefined) {
    start = Date.UTC(Number(y), Number(mo) - 1, 1);
    end = Date.UTC(Number(y), Number(mo), 1);
  } else {
    start = Date.UTC(Number(y), 0, 1);
    end = Date.UTC(Number(y) + 1, 0, 1);
  }
  const month = mo === undefined ? 1 : Number(mo);
  const calendarOk =
    month >= 1 &&
    month <= 12 &&
    (d === undefined ||
      (new Date(Date.UTC(Number(y), month - 1, Number(d))).getUTCMonth() === month - 1 &&
        Number(d) >= 1));
  if (Number.isNaN(start) || !calendarOk)
    throw new SearchError(parameter, `${parameter}: "${raw}" is not a valid date`);
  return { prefix, start, end };
}

function dateMatches(test: DateTest, instant: number): boolean {
  switch (test.prefix) {
    case 'eq':
      return instant >= test.start && instant < test.end;
    case 'ne':
      return instant < test.start || instant >= test.end;
    case 'ge':
      return instant >= test.start;
    case 'gt':
      return instant >= test.end;
    case 'le':
      return instant < test.end;
    case 'lt':
      return instant < test.start;
  }
}

function whole(parameter: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new SearchError(
      parameter,
      `${parameter}: must be a whole number from ${min} to ${max} (got "${raw}")`,
    );
  }
  return Number(raw);
}

/**
 * Parse a search's query parameters for `type`. Repeated parameters are ANDed (`date=ge…&date=lt…`).
 * @throws SearchError naming the parameter.
 */
export function parseSearch(
  type: SearchableType,
  params: readonly (readonly [string, string])[],
): SearchQuery {
  const ids: string[] = [];
  let patient: string | undefined;
  let identifier: SearchQuery['identifier'];
  const date: DateTest[] = [];
  const lastUpdated: DateTest[] = [];
  let count = DEFAULT_COUNT;
  let offset = 0;
  const inCompartment = PATIENT_TYPES.includes(type);
  for (const [name, value] of params) {
    switch (name) {
      case '_id':
        ids.push(...value.split(','));
        break;
      case '_count':
        count = whole(name, value, 0, MAX_COUNT);
        break;
      case '_offset':
        offset = whole(name, value, 0, 1_000_000);
        break;
      case '_lastUpdated':
        lastUpdated.push(parseDateTest(name, value));
        break;
      case '_format':
        if (!['json', 'application/fhir+json', 'application/json'].includes(value))
          throw new SearchError(name, '_format: only JSON is supported');
        break;
      case 'patient':
      case 'subject':
        if (!inCompartment)
          throw new SearchError(name, `${name}: not a search parameter of ${type}`);
        patient = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
        if (patient === '' || patient.includes('/'))
          throw new SearchError(name, `${name}: expected Patient/<id> or <id>`);
        break;
      case 'date':
        if (!inCompartment) throw new SearchError(name, `date: not a search parameter of ${type}`);
        date.push(parseDateTest(name, value));
        break;
      case 'identifier': {
        if (type !== 'Patient')
          throw new SearchError(name, `identifier: not a search parameter of ${type}`);
        const bar = value.indexOf('|');
        identifier =
          bar === -1
            ? { system: undefined, value }
            : { system: value.slice(0, bar) || undefined, value: value.slice(bar + 1) };
        if (identifier.value === '')
          throw new SearchError(name, 'identifier: expected [system|]value');
        break;
      }
      default:
        throw new SearchError(name, `${name}: unknown or unsupported search parameter for ${type}`);
    }
  }
  return { ids, patient, identifier, date, lastUpdated, count, offset };
}

/** The patient a resource belongs to, or undefined (clinic-level resources). */
export function patientOf(
  resource: Resource,
  byKey: ReadonlyMap<string, Resource>,
): string | undefined {
  const id = (reference: string | undefined): string | undefined =>
    reference?.startsWith('Patient/') === true ? reference.slice('Patient/'.length) : undefined;
  switch (resource.resourceType) {
    case 'Patient':
      return resource.id;
    case 'Procedure':
    case 'Observation':
    case 'QuestionnaireResponse':
    case 'RiskAssessment':
    case 'Flag':
      return id(resource.subject?.reference);
    case 'Task':
      return id(resource.for?.reference);
    case 'Provenance': {
      const target = resource.target[0]?.reference;
      const assessed = target === undefined ? undefined : byKey.get(target);
      return assessed === undefined ? undefined : patientOf(assessed, byKey);
    }
    default:
      return undefined;
  }
}

/** The clinical instant `date` searches on, per type. */
export function clinicalDateOf(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'Procedure':
      return resource.performedDateTime;
    case 'Observation':
      return resource.effectiveDateTime;
    case 'QuestionnaireResponse':
      return resource.authored;
    case 'RiskAssessment':
      return resource.occurrenceDateTime;
    case 'Flag':
      return resource.period?.start;
    case 'Task':
      return resource.authoredOn;
    case 'Provenance':
      return resource.recorded;
    default:
      return undefined;
  }
}

export function keyOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}

export function indexByKey(resources: readonly Resource[]): Map<string, Resource> {
  return new Map(resources.map((r) => [keyOf(r), r]));
}

/** Every resource of `type` that matches the query, in the record's order (unpaged). */
export function matchAll(
  type: SearchableType,
  query: SearchQuery,
  resources: readonly Resource[],
): Resource[] {
  const byKey = indexByKey(resources);
  return resources.filter((r) => {
    if (r.resourceType !== type) return false;
    if (query.ids.length > 0 && !query.ids.includes(r.id ?? '')) return false;
    if (query.patient !== undefined && patientOf(r, byKey) !== query.patient) return false;
    if (query.identifier !== undefined) {
      const wanted = query.identifier;
      const ids = r.resourceType === 'Patient' ? (r.identifier ?? []) : [];
      if (
        !ids.some(
          (i) =>
            i.value === wanted.value && (wanted.system === undefined || i.system === wanted.system),
        )
      )
        return false;
    }
    if (query.date.length > 0) {
      const at = clinicalDateOf(r);
      if (at === undefined || !query.date.every((t) => dateMatches(t, Date.parse(at))))
        return false;
    }
    if (query.lastUpdated.length > 0) {
      const at = r.meta?.lastUpdated;
      if (at === undefined || !query.lastUpdated.every((t) => dateMatches(t, Date.parse(at))))
        return false;
    }
    return true;
  });
}

/** A page of matches as a searchset Bundle with self/first/next/previous links. */
export function searchsetBundle(
  matches: readonly Resource[],
  query: SearchQuery,
  base: string,
  selfUrl: URL,
): Bundle {
  const page = matches.slice(query.offset, query.offset + query.count);
  const at = (offset: number): string => {
    const u = new URL(selfUrl);
    u.searchParams.set('_offset', String(offset));
    u.searchParams.set('_count', String(query.count));
    return u.toString();
  };
  const link: BundleLink[] = [
    { relation: 'self', url: selfUrl.toString() },
    { relation: 'first', url: at(0) },
  ];
  if (query.count > 0 && query.offset + query.count < matches.length)
    link.push({ relation: 'next', url: at(query.offset + query.count) });
  if (query.offset > 0)
    link.push({ relation: 'previous', url: at(Math.max(0, query.offset - query.count)) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link,
    entry: page.map((resource) => ({
      fullUrl: `${base}/${keyOf(resource)}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
