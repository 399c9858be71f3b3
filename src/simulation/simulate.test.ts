import { describe, expect, it } from 'vitest';
import { RULEBOOK_V1 } from '../clinical/rulebook-v1.ts';
import { rulebookFromOverrides } from './inputs.ts';
import type { SimulationModel } from './model.ts';
import { MODEL_V1 } from './model-v1.ts';
import { type SimulationOptions, simulate } from './simulate.ts';

const OPTIONS: SimulationOptions = {
  sessions: 5000,
  seed: 7,
  thoracicShare: MODEL_V1.cohort.thoracicShare.value,
  responseRate: MODEL_V1.patients.responseRate.value,
  answerDelayMeanH: MODEL_V1.patients.answerDelayMeanH.value,
  mayOmitSoreness: true,
};

/** Every red-flag event made common, so recall is measured on thousands of events. */
const RED_FLAG_HEAVY: SimulationModel = {
  ...MODEL_V1,
  redFlagEvents: MODEL_V1.redFlagEvents.map((event) => ({ ...event, rate: 0.05 })),
};

describe('simulate', () => {
  it('gives identical results for the same seed and different ones for another', () => {
    const a = simulate(MODEL_V1, OPTIONS, [RULEBOOK_V1]);
    const b = simulate(MODEL_V1, OPTIONS, [RULEBOOK_V1]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = simulate(MODEL_V1, { ...OPTIONS, seed: 8 }, [RULEBOOK_V1]);
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('a session does not depend on the sessions before it (one stream per session)', () => {
    const small = simulate(MODEL_V1, { ...OPTIONS, sessions: 1000 }, []);
    const large = simulate(MODEL_V1, { ...OPTIONS, sessions: 2000 }, []);
    expect(large.thoracicSessions).toBeGreaterThanOrEqual(small.thoracicSessions);
    const first = simulate(MODEL_V1, { ...OPTIONS, sessions: 1 }, [RULEBOOK_V1]);
    const again = simulate(MODEL_V1, { ...OPTIONS, sessions: 1 }, [RULEBOOK_V1]);
    expect(first).toEqual(again);
  });

  it('catches every reported red-flag event under rulebook v1.1 (recall 100%)', () => {
    const result = simulate(RED_FLAG_HEAVY, { ...OPTIONS, sessions: 20_000 }, [RULEBOOK_V1]);
    const recall = result.rulebooks[0]?.recall ?? [];
    expect(recall.map((r) => r.event).sort()).toEqual(
      ['fainting', 'infection', 'nerve_injury', 'pneumothorax'].sort(),
    );
    for (const row of recall) {
      expect(row.reported, row.event).toBeGreaterThan(100);
      expect(row.caught, row.event).toBe(row.reported);
      expect(row.recall, row.event).toBe(1);
    }
    // Some red-flag answers left the soreness out (v1.1) and were still triaged.
    expect(result.answersWithoutSoreness).toBeGreaterThan(100);
  });

  it('never lowers recall under a stricter clinic rulebook, and costs at least as many alerts', () => {
    const stricter = rulebookFromOverrides({ parameters: { severeMin: 6 } }, RULEBOOK_V1);
    if (!stricter.ok) throw new Error(stricter.error);
    const result = simulate(RED_FLAG_HEAVY, { ...OPTIONS, sessions: 5000 }, [
      RULEBOOK_V1,
      stricter.value,
    ]);
    const [base, strict] = result.rulebooks;
    for (const row of strict?.recall ?? []) expect(row.caught).toBe(row.reported);
    expect(strict?.per1000.routine).toBeGreaterThan(base?.per1000.routine ?? Infinity);
    expect(strict?.rulebookVersion).toBe('1.1.0+what-if.file');
  });

  it('reproduces every input rate of the model within 4 standard errors on a large cohort', () => {
    const result = simulate(MODEL_V1, { ...OPTIONS, sessions: 400_000 }, []);
    expect(result.inputs.length).toBeGreaterThan(15);
    for (const input of result.inputs) {
      const expected = input.rate * input.denominator;
      const se = Math.sqrt(input.denominator * input.rate * (1 - input.rate));
      expect(Math.abs(input.observed - expected), input.id).toBeLessThanOrEqual(4 * se + 1);
    }
    // Brady 2014: mild events in 19.18% of treatments, summed over the itemised model rates.
    const mild = result.inputs
      .filter(
        (i) =>
          i.id.startsWith('mild.') ||
          i.id === 'soreness.post_treatment_pain' ||
          i.id === 'soreness.aggravation' ||
          i.id === 'event.nerve_injury',
      )
      .reduce((sum, i) => sum + i.observed, 0);
    const rate = mild / result.sessions;
    const se = Math.sqrt((0.1918 * (1 - 0.1918)) / result.sessions);
    expect(Math.abs(rate - 0.1918)).toBeLessThanOrEqual(4 * se);
    // The thoracic share asked for.
    const share = result.thoracicSessions / result.sessions;
    expect(Math.abs(share - 0.4)).toBeLessThanOrEqual(4 * Math.sqrt((0.4 * 0.6) / result.sessions));
  });

  it('reproduces the red-flag rates when they are common enough to measure', () => {
    const result = simulate(RED_FLAG_HEAVY, { ...OPTIONS, sessions: 40_000 }, []);
    for (const input of result.inputs.filter((i) => i.id.startsWith('event.'))) {
      const expected = input.rate * input.denominator;
      const se = Math.sqrt(input.denominator * input.rate * (1 - input.rate));
      expect(Math.abs(input.observed - expected), input.id).toBeLessThanOrEqual(4 * se);
    }
  });

  it('answers about the response rate of planned check-ins', () => {
    const result = simulate(MODEL_V1, { ...OPTIONS, sessions: 20_000, responseRate: 0.5 }, []);
    const n = result.plannedCheckIns;
    // Unprompted answers of red-flag events are rare enough not to move this.
    expect(Math.abs(result.answers / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n) + 0.002);
  });
});

describe('the simulation stays pure', () => {
  it('uses no clock, no Math.random and no Node API, so a seed is the whole input', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = readdirSync(import.meta.dirname).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const text = readFileSync(`${import.meta.dirname}/${file}`, 'utf8');
      expect(text, file).not.toMatch(/Math\.random|new Date|Date\.now|from 'node:|process\./);
    }
  });
});
