import type { Resource } from '@medplum/fhirtypes';
import type { ClinicRecord } from '../../store/interop.repository.ts';
import { toFhirResources } from './map.ts';
import { indexByKey, isSearchableType, patientOf, SEARCHABLE_TYPES } from './search.ts';

/** One NDJSON file per resource type, as the Bulk Data Access IG lays them out. */
export interface NdjsonFile {
  readonly type: string;
  readonly count: number;
  readonly ndjson: string;
}

export interface ExportOptions {
  /** Only resources changed at or after this instant (`_since`); definitions always go. */
  readonly since?: string;
  /** Only these types (`_type`); all when absent. */
  readonly types?: readonly string[];
}

/** Parse `_type=Patient,Observation`; unknown types are an error naming them. */
export function parseExportTypes(raw: string): string[] | { readonly unknown: string[] } {
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = types.filter((t) => !isSearchableType(t));
  return unknown.length > 0 ? { unknown } : types;
}

/**
 * The export of a clinic record: files in a stable type order, each line one resource, and
 * the patients whose data went out.
 */
export function exportRecord(
  record: ClinicRecord,
  options: ExportOptions = {},
): { files: NdjsonFile[]; patientIds: string[] } {
  const all = toFhirResources(record);
  const byKey = indexByKey(all);
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  const kept = all.filter((r: Resource) => {
    if (options.types !== undefined && !options.types.includes(r.resourceType)) return false;
    const updated = r.meta?.lastUpdated;
    return since === undefined || updated === undefined || Date.parse(updated) >= since;
  });
  const files: NdjsonFile[] = [];
  for (const type of SEARCHABLE_TYPES) {
    const ofType = kept.filter((r) => r.resourceType === type);
    if (ofType.length === 0) continue;
    files.push({
      type,
      count: ofType.length,
      ndjson: ofType.map((r) => `${JSON.stringify(r)}\n`).join(''),
    });
  }
  const patientIds = [
    ...new Set(kept.map((r) => patientOf(r, byKey)).filter((p): p is string => p !== undefined)),
  ];
  return { files, patientIds };
}
