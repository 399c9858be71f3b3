import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RULEBOOK_V1 } from '../src/clinical/rulebook-v1.ts';
import { triage, triageInterpreted } from '../src/clinical/triage.ts';
import type { TriageCase } from '../src/clinical/types.ts';
import { caseArb } from '../test/arbitraries.ts';
import { VIGNETTES_PATH as VIGNETTES } from '../test/vignettes.ts';
import { collectGarbage } from './gc.ts';
import { mainThreadScheduling } from './scheduling.ts';

const BIN = fileURLToPath(new URL('../bin/needlecare.js', import.meta.url));

function cases(n: number): TriageCase[] {
  return fc.sample(caseArb({ ties: true }), { numRuns: n, seed: 42 });
}

/**
 * CPU time so far (ms) of the thread that triages: this one's, read from Linux's
 * `/proc/thread-self/schedstat` (decision 1480); elsewhere the whole process's, which also counts
 * V8's helper threads.
 */
function triagingThreadCpuMs(): number {
  const own = mainThreadScheduling();
  if (own !== undefined) return own.ranMs;
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

/**
 * In-process triage throughput on 20,000 generated cases (ties between report times
 * included), compiled and interpreted interleaved in the same run: best of 7 rounds each.
 * Both per second of wall time and per second of the triaging thread's CPU time: on a machine
 * shared with other work the CPU-time rate is the better estimate of what one core does. Each
 * round starts after a full garbage collection, and its CPU time is the triaging thread's own,
 * so that V8's helper threads collecting the interpreter's garbage are not charged to the
 * compiled engine (decision 1480).
 */
export function benchTriageInProcess(): {
  compiledPerSecond: number;
  interpretedPerSecond: number;
  compiledPerCpuSecond: number;
  interpretedPerCpuSecond: number;
} {
  const input = cases(20_000);
  const best = { compiled: 0, interpreted: 0, compiledCpu: 0, interpretedCpu: 0 };
  const rate = (run: (c: TriageCase) => unknown) => {
    collectGarbage();
    const cpu0 = triagingThreadCpuMs();
    const t0 = performance.now();
    for (const c of input) run(c);
    const wall = (performance.now() - t0) / 1000;
    const cpu = (triagingThreadCpuMs() - cpu0) / 1000;
    return { wall: input.length / wall, cpu: input.length / cpu };
  };
  for (let round = 0; round < 7; round++) {
    const c = rate((x) => triage(x, RULEBOOK_V1));
    const i = rate((x) => triageInterpreted(x, RULEBOOK_V1));
    best.compiled = Math.max(best.compiled, c.wall);
    best.compiledCpu = Math.max(best.compiledCpu, c.cpu);
    best.interpreted = Math.max(best.interpreted, i.wall);
    best.interpretedCpu = Math.max(best.interpretedCpu, i.cpu);
  }
  return {
    compiledPerSecond: best.compiled,
    interpretedPerSecond: best.interpreted,
    compiledPerCpuSecond: best.compiledCpu,
    interpretedPerCpuSecond: best.interpretedCpu,
  };
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
