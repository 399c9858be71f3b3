import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { notThoracicMusclesFromSpec, thoracicMusclesFromSpec } from '../../test/rules-oracle.ts';
import {
  isBilateralThoracic,
  isThoracicSession,
  MUSCLES,
  searchMuscles,
  sidesFor,
} from './muscles.ts';
import { SYMPTOMS } from './symptoms.ts';
import { SYMPTOM_CODES } from './types.ts';

describe('muscle catalogue', () => {
  it('has every RULES.md id with the same thoracic flag', () => {
    const thoracic = thoracicMusclesFromSpec();
    const other = notThoracicMusclesFromSpec();
    expect(thoracic.size).toBe(20);
    expect(other.size).toBe(24);
    for (const id of thoracic) expect(MUSCLES.find((m) => m.id === id)?.thoracic, id).toBe(true);
    for (const id of other) expect(MUSCLES.find((m) => m.id === id)?.thoracic, id).toBe(false);
    expect(new Set(MUSCLES.map((m) => m.id)).size).toBe(MUSCLES.length);
  });
  it('names every muscle in English and Spanish, with a source', () => {
    for (const m of MUSCLES) {
      expect(
        m.name.en && m.name.es && m.everyday.en && m.everyday.es && m.source,
        m.id,
      ).toBeTruthy();
    }
  });
  it('finds muscles by everyday and anatomical names, accents ignored', () => {
    expect(searchMuscles('calf').map((m) => m.id)).toContain('gastrocnemius');
    expect(searchMuscles('omoplato').map((m) => m.id)).toContain('infraspinatus');
    expect(searchMuscles('Trapecio').length).toBe(3);
  });
  it('detects thoracic and bilateral thoracic sessions', () => {
    expect(isThoracicSession([{ muscle: 'deltoid' }])).toBe(false);
    expect(isThoracicSession([{ muscle: 'deltoid' }, { muscle: 'scalenes' }])).toBe(true);
    expect(
      isBilateralThoracic([
        { muscle: 'upper-trapezius', side: 'left' },
        { muscle: 'rhomboid-major', side: 'right' },
      ]),
    ).toBe(true);
    expect(
      isBilateralThoracic([
        { muscle: 'upper-trapezius', side: 'left' },
        { muscle: 'deltoid', side: 'right' },
      ]),
    ).toBe(false);
    expect(
      isBilateralThoracic([
        { muscle: 'thoracic-paraspinals', side: 'left' },
        { muscle: 'thoracic-paraspinals', side: 'midline' },
      ]),
    ).toBe(false);
  });
  it('offers midline only for the spinal muscles and the suboccipitals (decision 1220)', () => {
    const midline = MUSCLES.filter((m) => m.midline).map((m) => m.id);
    expect(midline).toEqual([
      'suboccipitals',
      'upper-cervical-paraspinals',
      'lower-cervical-paraspinals',
      'thoracic-paraspinals',
      'lumbar-paraspinals',
    ]);
    // No limb, hip, chest or jaw muscle: those are lateral and paired.
    for (const m of MUSCLES) {
      if (['arm', 'thigh', 'lower_leg_foot', 'hip', 'chest'].includes(m.region))
        expect(m.midline, m.id).toBe(false);
    }
    for (const id of ['masseter', 'sternocleidomastoid', 'scalenes', 'upper-trapezius'])
      expect(MUSCLES.find((m) => m.id === id)?.midline, id).toBe(false);
    const deltoid = MUSCLES.find((m) => m.id === 'deltoid');
    const lumbar = MUSCLES.find((m) => m.id === 'lumbar-paraspinals');
    expect(deltoid && sidesFor(deltoid)).toEqual(['left', 'right']);
    expect(lumbar && sidesFor(lumbar)).toEqual(['left', 'right', 'midline']);
  });
  it('has a checklist entry for every symptom code, breathing first', () => {
    expect(SYMPTOMS.map((s) => s.code)).toEqual([...SYMPTOM_CODES]);
    expect(SYMPTOMS.slice(0, 4).every((s) => s.group === 'breathing_chest')).toBe(true);
  });
});

describe('the clinical core stays pure', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  it.each(sources)('%s uses no clock, randomness, I/O or outside import', (file) => {
    const text = readFileSync(`${dir}${file}`, 'utf8');
    expect(text).not.toMatch(
      /new Date\(\)|Date\.now\(|Math\.random|performance\.now|process\.|require\(/,
    );
    const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    for (const spec of imports)
      expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[a-z0-9-]+\.ts$/);
  });
});
