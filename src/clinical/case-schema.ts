import { findMuscle, MUSCLE_IDS } from './muscles.ts';
import type { Report, Result, Side, Site, SymptomCode, TriageCase } from './types.ts';
import {
  err,
  hasRedFlag,
  ok,
  RED_FLAG_SYMPTOMS,
  SIDES,
  SORENESS_MAX,
  SORENESS_MIN,
  SYMPTOM_CODES,
} from './types.ts';

/**
 * The one validation of triage input, used by the CLI and the API alike. Messages name the
 * field (as a path such as `reports[1].soreness`) and the allowed values, so a person can fix
 * the input from the message alone.
 */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** What a patient sends when checking in; the server adds the hour. */
export interface ReportInput {
  /** Null when no number was given: allowed only with a red-flag symptom (RULES.md v1.1). */
  readonly soreness: number | null;
  readonly symptoms: readonly SymptomCode[];
  readonly note?: string;
}

/** A site as a practitioner records it: a case site plus the needle count. */
export interface RecordedSite extends Site {
  readonly needleCount?: number;
}

export const LIMITS = {
  maxSites: 40,
  maxReports: 500,
  /** A year: far beyond any check-in plan, small enough to catch unit mistakes (ms, s). */
  maxHoursAfter: 24 * 366,
  maxNeedleCount: 100,
  maxNoteLength: 1000,
} as const;

const SYMPTOM_SET: ReadonlySet<string> = new Set(SYMPTOM_CODES);
const MUSCLE_SET: ReadonlySet<string> = new Set(MUSCLE_IDS);
const SIDE_SET: ReadonlySet<string> = new Set(SIDES);

type Issues = ValidationIssue[];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  issues: Issues,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.push({
        path: path === '' ? key : `${path}.${key}`,
        message: `unknown field; allowed fields: ${allowed.join(', ')}`,
      });
    }
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function checkSoreness(value: unknown, path: string, issues: Issues): number | undefined {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < SORENESS_MIN ||
    value > SORENESS_MAX
  ) {
    issues.push({
      path,
      message: `must be a whole number from ${SORENESS_MIN} to ${SORENESS_MAX} (got ${describe(value)})`,
    });
    return undefined;
  }
  return value;
}

/**
 * RULES.md v1.1: soreness may be left out (or null) only when the report has a red-flag
 * symptom; a report with neither is invalid. Returns null for "no number given".
 */
function checkOptionalSoreness(
  value: unknown,
  symptoms: readonly SymptomCode[] | undefined,
  path: string,
  issues: Issues,
): number | null | undefined {
  if (value !== undefined && value !== null) return checkSoreness(value, path, issues);
  if (symptoms === undefined) return undefined; // the symptoms' own issue explains the report
  if (hasRedFlag(symptoms)) return null;
  issues.push({
    path,
    message: `must be a whole number from ${SORENESS_MIN} to ${SORENESS_MAX}; it may be left out only when a red-flag symptom is ticked (${RED_FLAG_SYMPTOMS.join(', ')})`,
  });
  return undefined;
}

function checkSymptoms(value: unknown, path: string, issues: Issues): SymptomCode[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({
      path,
      message: `must be an array of symptom codes (got ${describe(value)}); use [] for none`,
    });
    return undefined;
  }
  const seen = new Set<string>();
  const before = issues.length;
  value.forEach((code: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof code !== 'string' || !SYMPTOM_SET.has(code)) {
      issues.push({
        path: at,
        message: `unknown symptom ${describe(code)}; allowed: ${SYMPTOM_CODES.join(', ')}`,
      });
    } else if (seen.has(code)) {
      issues.push({ path: at, message: `"${code}" is listed twice; list each symptom once` });
    } else {
      seen.add(code);
    }
  });
  return issues.length === before ? (value as SymptomCode[]) : undefined;
}

function checkSite(
  value: unknown,
  path: string,
  issues: Issues,
  allowNeedleCount: boolean,
): RecordedSite | undefined {
  if (!isRecord(value)) {
    issues.push({
      path,
      message: `must be an object with "muscle" and optional "side" (got ${describe(value)})`,
    });
    return undefined;
  }
  const before = issues.length;
  checkKeys(
    value,
    allowNeedleCount ? ['muscle', 'side', 'needleCount'] : ['muscle', 'side'],
    path,
    issues,
  );
  const { muscle, side, needleCount } = value;
  if (typeof muscle !== 'string' || !MUSCLE_SET.has(muscle)) {
    issues.push({
      path: join(path, 'muscle'),
      message: `unknown muscle ${describe(muscle)}; allowed: ${MUSCLE_IDS.join(', ')}`,
    });
  }
  if (side !== undefined && (typeof side !== 'string' || !SIDE_SET.has(side))) {
    issues.push({
      path: join(path, 'side'),
      message: `must be one of ${SIDES.join(', ')} (got ${describe(side)})`,
    });
  }
  if (
    allowNeedleCount &&
    needleCount !== undefined &&
    (typeof needleCount !== 'number' ||
      !Number.isInteger(needleCount) ||
      needleCount < 1 ||
      needleCount > LIMITS.maxNeedleCount)
  ) {
    issues.push({
      path: join(path, 'needleCount'),
      message: `must be a whole number from 1 to ${LIMITS.maxNeedleCount} (got ${describe(needleCount)})`,
    });
  }
  if (issues.length !== before) return undefined;
  return {
    muscle: muscle as string,
    ...(side === undefined ? {} : { side: side as Side }),
    ...(needleCount === undefined ? {} : { needleCount: needleCount as number }),
  };
}

function checkSites(
  value: unknown,
  path: string,
  issues: Issues,
  allowNeedleCount: boolean,
): RecordedSite[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.maxSites) {
    issues.push({
      path,
      message: `must be a list of 1 to ${LIMITS.maxSites} needled sites (got ${Array.isArray(value) ? `${value.length} items` : describe(value)})`,
    });
    return undefined;
  }
  const before = issues.length;
  const sites = value.map((site: unknown, i) =>
    checkSite(site, `${path}[${i}]`, issues, allowNeedleCount),
  );
  return issues.length === before ? (sites as RecordedSite[]) : undefined;
}

function checkReport(value: unknown, path: string, issues: Issues): Report | undefined {
  if (!isRecord(value)) {
    issues.push({
      path,
      message: `must be an object with hoursAfter, soreness and symptoms (got ${describe(value)})`,
    });
    return undefined;
  }
  const before = issues.length;
  checkKeys(value, ['hoursAfter', 'soreness', 'symptoms'], path, issues);
  const { hoursAfter } = value;
  if (
    typeof hoursAfter !== 'number' ||
    !Number.isFinite(hoursAfter) ||
    hoursAfter < 0 ||
    hoursAfter > LIMITS.maxHoursAfter
  ) {
    issues.push({
      path: join(path, 'hoursAfter'),
      message: `must be a number of hours from 0 to ${LIMITS.maxHoursAfter} (got ${describe(hoursAfter)})`,
    });
  }
  const symptoms = checkSymptoms(value.symptoms, join(path, 'symptoms'), issues);
  const soreness = checkOptionalSoreness(value.soreness, symptoms, join(path, 'soreness'), issues);
  if (issues.length !== before || soreness === undefined || symptoms === undefined)
    return undefined;
  return { hoursAfter: hoursAfter as number, soreness, symptoms };
}

/** Validate one case (RULES.md "Inputs"). `path` prefixes every issue's field. */
export function validateCase(input: unknown, path = ''): Result<TriageCase, ValidationIssue[]> {
  const issues: Issues = [];
  if (!isRecord(input)) {
    return err([
      {
        path: path === '' ? '(case)' : path,
        message: `must be an object with "session" and "reports" (got ${describe(input)})`,
      },
    ]);
  }
  checkKeys(input, ['session', 'reports'], path, issues);
  let sites: RecordedSite[] | undefined;
  const sessionPath = join(path, 'session');
  if (!isRecord(input.session)) {
    issues.push({
      path: sessionPath,
      message: `must be an object with "sites" (got ${describe(input.session)})`,
    });
  } else {
    checkKeys(input.session, ['sites'], sessionPath, issues);
    sites = checkSites(input.session.sites, join(sessionPath, 'sites'), issues, false);
  }
  const reportsPath = join(path, 'reports');
  let reports: Report[] | undefined;
  if (
    !Array.isArray(input.reports) ||
    input.reports.length === 0 ||
    input.reports.length > LIMITS.maxReports
  ) {
    issues.push({
      path: reportsPath,
      message: `must be a list of 1 to ${LIMITS.maxReports} reports, oldest first (got ${Array.isArray(input.reports) ? '0 items' : describe(input.reports)})`,
    });
  } else {
    const before = issues.length;
    const checked = input.reports.map((report: unknown, i) =>
      checkReport(report, `${reportsPath}[${i}]`, issues),
    );
    if (issues.length === before) {
      reports = checked as Report[];
      reports.forEach((report, i) => {
        const previous = reports?.[i - 1];
        if (previous !== undefined && report.hoursAfter < previous.hoursAfter) {
          issues.push({
            path: `${reportsPath}[${i}].hoursAfter`,
            message: `reports must be in time order: ${report.hoursAfter} is earlier than the report before it (${previous.hoursAfter})`,
          });
        }
      });
    }
  }
  if (issues.length > 0 || sites === undefined || reports === undefined) return err(issues);
  return ok({ session: { sites }, reports });
}

/** Validate what the patient sends when checking in. */
export function validateReportInput(input: unknown): Result<ReportInput, ValidationIssue[]> {
  const issues: Issues = [];
  if (!isRecord(input)) {
    return err([
      {
        path: '(body)',
        message: `must be an object with soreness and symptoms (got ${describe(input)})`,
      },
    ]);
  }
  checkKeys(input, ['soreness', 'symptoms', 'note'], '', issues);
  const symptoms = checkSymptoms(input.symptoms ?? [], 'symptoms', issues);
  const soreness = checkOptionalSoreness(input.soreness, symptoms, 'soreness', issues);
  const { note } = input;
  // A long note is cut to LIMITS.maxNoteLength by the service, never refused: refusing it
  // would cost the report (decision 1201). Only a note that is not text at all is refused.
  if (note !== undefined && typeof note !== 'string') {
    issues.push({ path: 'note', message: `must be text (got ${describe(note)})` });
  }
  if (issues.length > 0 || soreness === undefined || symptoms === undefined) return err(issues);
  const trimmed = typeof note === 'string' ? note.trim() : '';
  return ok({ soreness, symptoms, ...(trimmed === '' ? {} : { note: trimmed }) });
}

/** Validate the sites of a session as a practitioner records them (with needle counts). */
export function validateSites(
  input: unknown,
  path = 'sites',
): Result<RecordedSite[], ValidationIssue[]> {
  const issues: Issues = [];
  const sites = checkSites(input, path, issues, true);
  if (sites !== undefined) {
    // `midline` only where it means something (decision 1220). A triage case still takes any
    // side: sessions recorded before keep being triaged and read as they were.
    sites.forEach((site, i) => {
      const muscle = findMuscle(site.muscle);
      if (site.side === 'midline' && muscle !== undefined && !muscle.midline)
        issues.push({
          path: `${path}[${i}].side`,
          message: `${site.muscle} is not needled at the midline; give left or right (midline is for the spinal muscles and the suboccipitals)`,
        });
    });
    // One site per muscle and side: a repeat is a typing slip, and would count twice.
    const seen = new Map<string, number>();
    sites.forEach((site, i) => {
      const key = `${site.muscle}|${site.side ?? ''}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        issues.push({
          path: `${path}[${i}]`,
          message: `repeats ${path}[${first}] (${site.muscle}${site.side === undefined ? '' : `, ${site.side}`}); give each muscle and side once, with its needle count`,
        });
    });
  }
  return issues.length > 0 || sites === undefined ? err(issues) : ok(sites);
}

/** One line for a person: `field: message; field: message`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

// JSON Schemas for documentation (OpenAPI) and edge validation, built from the same constants
// as the validators above so the two cannot drift.

export const siteJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['muscle'],
  properties: {
    muscle: { type: 'string', enum: [...MUSCLE_IDS] },
    side: { type: 'string', enum: [...SIDES] },
    needleCount: { type: 'integer', minimum: 1, maximum: LIMITS.maxNeedleCount },
  },
} as const;

export const symptomsJsonSchema = {
  type: 'array',
  uniqueItems: true,
  maxItems: SYMPTOM_CODES.length,
  items: { type: 'string', enum: [...SYMPTOM_CODES] },
} as const;

export const reportInputJsonSchema = {
  type: 'object',
  additionalProperties: false,
  // soreness may be left out (or null) when a red-flag symptom is ticked (RULES.md v1.1); the
  // core's validateReportInput makes that check, which a JSON Schema cannot state plainly.
  properties: {
    soreness: {
      type: ['integer', 'null'],
      minimum: SORENESS_MIN,
      maximum: SORENESS_MAX,
      description: 'Soreness 0-10. May be left out or null only when a red-flag symptom is ticked.',
    },
    symptoms: symptomsJsonSchema,
    note: {
      type: 'string',
      description: `Free text; control characters are removed and it is cut to ${LIMITS.maxNoteLength} characters.`,
    },
  },
} as const;

export const caseJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['session', 'reports'],
  properties: {
    session: {
      type: 'object',
      additionalProperties: false,
      required: ['sites'],
      properties: {
        sites: {
          type: 'array',
          minItems: 1,
          maxItems: LIMITS.maxSites,
          items: {
            ...siteJsonSchema,
            properties: {
              muscle: siteJsonSchema.properties.muscle,
              side: siteJsonSchema.properties.side,
            },
          },
        },
      },
    },
    reports: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.maxReports,
      items: {
        type: 'object',
        additionalProperties: false,
        // soreness may be absent or null only with a red-flag symptom (RULES.md v1.1);
        // validateCase enforces that part.
        required: ['hoursAfter', 'symptoms'],
        properties: {
          hoursAfter: { type: 'number', minimum: 0, maximum: LIMITS.maxHoursAfter },
          soreness: {
            type: ['integer', 'null'],
            minimum: SORENESS_MIN,
            maximum: SORENESS_MAX,
          },
          symptoms: symptomsJsonSchema,
        },
      },
    },
  },
} as const;
