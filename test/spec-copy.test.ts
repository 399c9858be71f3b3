/**
 * The project keeps its own copy of the triage specification (docs/clinical/RULES.md) and of
 * the public worked cases (test/fixtures/vignettes.json); `npm run sync:spec` refreshes them
 * from the design folder. These tests keep the copies and the code honest with each other:
 * what RULES.md names (version, rules, parameters, symptom codes, muscles) is what the engine
 * holds, and every vignette names only rules that exist.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MUSCLES } from '../src/clinical/muscles.ts';
import { DEFAULT_PARAMETERS } from '../src/clinical/parameters.ts';
import { RULEBOOK_V1 } from '../src/clinical/rulebook-v1.ts';
import { DISPOSITIONS, SYMPTOM_CODES } from '../src/clinical/types.ts';
import { notThoracicMusclesFromSpec, RULES_MD, thoracicMusclesFromSpec } from './rules-oracle.ts';
import { readVignettes } from './vignettes.ts';

const spec = readFileSync(RULES_MD, 'utf8');

function section(title: string): string {
  const start = spec.indexOf(title);
  const next = spec.indexOf('\n## ', start + title.length);
  return spec.slice(start, next === -1 ? undefined : next);
}

describe('the copy of RULES.md and the engine agree', () => {
  it('has the same version (major.minor)', () => {
    const version = /^# Clinical rulebook v(\d+)\.(\d+)/m.exec(spec);
    expect(version).not.toBeNull();
    expect(RULEBOOK_V1.version.startsWith(`${version?.[1]}.${version?.[2]}.`)).toBe(true);
  });

  it('lists the same rules in the same order with the same dispositions', () => {
    const rows = [...section('## Rules').matchAll(/^\| `([a-z_]+)` \|.*\| ([a-z_]+) \|$/gm)];
    expect(rows.map((m) => [m[1], m[2]])).toEqual(
      RULEBOOK_V1.rules.map((rule) => [rule.id, rule.disposition]),
    );
  });

  it('names the same parameters', () => {
    const text = section('## Rules');
    expect(text).toContain(`mild ≤ ${DEFAULT_PARAMETERS.mildMax}`);
    expect(text).toContain(`severe ≥ ${DEFAULT_PARAMETERS.severeMin}`);
    expect(text).toContain(`\`worseningDelta\` = ${DEFAULT_PARAMETERS.worseningDelta} points`);
    expect(text).toContain(`\`peakEndH\` = ${DEFAULT_PARAMETERS.peakEndH}`);
    expect(text).toContain(`\`lingerEndH\` = ${DEFAULT_PARAMETERS.lingerEndH}`);
    expect(text).toContain(`\`graceEndH\` = ${DEFAULT_PARAMETERS.graceEndH}`);
  });

  it('has the same symptom codes and dispositions', () => {
    const codes = [...section('## Symptom codes').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    expect(new Set(codes)).toEqual(new Set(SYMPTOM_CODES));
    for (const d of DISPOSITIONS) expect(section('## Dispositions')).toContain(`\`${d}\``);
  });

  it('has every muscle of the minimum catalogue, thoracic exactly as marked', () => {
    const byId = new Map(MUSCLES.map((m) => [m.id, m]));
    for (const id of thoracicMusclesFromSpec()) expect(byId.get(id)?.thoracic, id).toBe(true);
    for (const id of notThoracicMusclesFromSpec()) expect(byId.get(id)?.thoracic, id).toBe(false);
  });
});

describe('the copy of the vignettes', () => {
  const vignettes = readVignettes();
  const ruleIds = new Set(RULEBOOK_V1.rules.map((rule) => rule.id));

  it('has unique ids, including the v1.1 cases', () => {
    const ids = vignettes.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['N01', 'N02', 'N03']));
  });

  it('expects only rules and dispositions the rulebook has', () => {
    for (const v of vignettes) {
      expect(DISPOSITIONS, v.id).toContain(v.expected.disposition);
      for (const id of v.expected.rules) expect(ruleIds.has(id), `${v.id}: ${id}`).toBe(true);
    }
  });
});
