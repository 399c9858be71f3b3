import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RULEBOOK_V1 } from '../src/clinical/rulebook-v1.ts';
import { triage } from '../src/clinical/triage.ts';
import type { TriageCase } from '../src/clinical/types.ts';
import { caseArb } from '../test/arbitraries.ts';
import { VIGNETTES_PATH as VIGNETTES } from '../test/vignettes.ts';

const BIN = fileURLToPath(new URL('../bin/needlecare.js', import.meta.url));

function cases(n: number): TriageCase[] {
  return fc.sample(caseArb({ ties: true }), { numRuns: n, seed: 42 });
}

/** In-process triage throughput: cases per second, best of 5 rounds. */
export function benchTriageInProcess(): { casesPerSecond: number } {
  const input = cases(20_000);
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (const c of input) triage(c, RULEBOOK_V1);
    const rate = input.length / ((performance.now() - t0) / 1000);
    best = Math.max(best, rate);
  }
  return { casesPerSecond: best };
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
