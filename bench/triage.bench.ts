import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RULEBOOK_V1 } from '../src/clinical/rulebook-v1.ts';
import { triage, triageInterpreted } from '../src/clinical/triage.ts';
import type { TriageCase } from '../src/clinical/types.ts';
import { caseArb } from '../test/arbitraries.ts';
import { VIGNETTES_PATH as VIGNETTES } from '../test/vignettes.ts';

const BIN = fileURLToPath(new URL('../bin/needlecare.js', import.meta.url));

function cases(n: number): TriageCase[] {
  return fc.sample(caseArb({ ties: true }), { numRuns: n, seed: 42 });
}

/**
 * In-process triage throughput on 20,000 generated cases (ties between report times
 * included), compiled and interpreted interleaved in the same run: best of 7 rounds each.
 * One core: this runs on the bench's main thread.
 */
export function benchTriageInProcess(): {
  compiledPerSecond: number;
  interpretedPerSecond: number;
} {
  const input = cases(20_000);
  let compiled = 0;
  let interpreted = 0;
  const rate = (run: (c: TriageCase) => unknown) => {
    const t0 = performance.now();
    for (const c of input) run(c);
    return input.length / ((performance.now() - t0) / 1000);
  };
  for (let round = 0; round < 7; round++) {
    compiled = Math.max(
      compiled,
      rate((c) => triage(c, RULEBOOK_V1)),
    );
    interpreted = Math.max(
      interpreted,
      rate((c) => triageInterpreted(c, RULEBOOK_V1)),
    );
  }
  return { compiledPerSecond: compiled, interpretedPerSecond: interpreted };
}

/** A 10,000-case batch through the real `needlecare triage` binary, start-up included. */
export async function benchCliBatch(n = 10_000): Promise<{ cases: number; seconds: number }> {
  const vignettes = JSON.parse(readFileSync(VIGNETTES, 'utf8')) as TriageCase[];
  const input = JSON.stringify(
    Array.from({ length: n }, (_, i) => vignettes[i % vignettes.length]).map((v) => ({
      session: v?.session,
      reports: v?.reports,
    })),
  );
  const t0 = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'triage'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}`))));
    child.stdin.end(input);
  });
  const seconds = (performance.now() - t0) / 1000;
  const count = (JSON.parse(out) as unknown[]).length;
  if (count !== n) throw new Error(`expected ${n} assessments, got ${count}`);
  return { cases: n, seconds };
}
