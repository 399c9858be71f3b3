/**
 * `npm run bench [triage] [http] [scale] [instructions] [--runs N] [--seconds S]`: measures and
 * prints; asserts nothing. Without names it runs `triage` and `http`; `scale` (seeding 1M
 * check-ins) and `instructions` (the check-in under valgrind's callgrind, decision 1485) run
 * only when named. Compare ratios within one run, never absolute figures across machines
 * (docs/performance.md).
 */
import { parseArgs } from 'node:util';
import { benchHttp } from './http.bench.ts';
import { Figures } from './stats.ts';
import { benchCliBatch, benchTriageInProcess } from './triage.bench.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    clinics: { type: 'string', default: '1000' },
    dialect: { type: 'string' },
    checkins: { type: 'string', default: '1500' },
    'keep-dump': { type: 'string' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const clinics = Number(values.clinics);
const checkins = Number(values.checkins);
for (const [name, value] of [
  ['--runs', runs],
  ['--seconds', seconds],
  ['--connections', connections],
  ['--clinics', clinics],
  ['--checkins', checkins],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number ≥ 1`);
    process.exit(2);
  }
}
const known = ['triage', 'http', 'scale', 'instructions'];
const unknown = positionals.filter((p) => !known.includes(p));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  process.exit(2);
}
const want = (name: string) =>
  positionals.length === 0 ? name === 'triage' || name === 'http' : positionals.includes(name);

const figures = new Figures();
for (let run = 1; run <= runs; run++) {
  console.log(`\nrun ${run} of ${runs}`);
  if (want('triage')) {
    const t = benchTriageInProcess();
    figures.add({
      name: 'triage in process, compiled rulebook (wall time)',
      value: t.compiledPerSecond,
      unit: 'cases/s',
      target: '≥ 1,000,000',
    });
    figures.add({
      name: 'triage in process, compiled rulebook (per CPU second)',
      value: t.compiledPerCpuSecond,
      unit: 'cases/s',
      target: '≥ 1,000,000',
    });
    figures.add({
      name: 'triage in process, interpreted (the reference, wall)',
      value: t.interpretedPerSecond,
      unit: 'cases/s',
    });
    figures.add({
      name: 'triage: compiled / interpreted (wall)',
      value: t.compiledPerSecond / t.interpretedPerSecond,
      unit: '×',
      digits: 2,
    });
    const batch = await benchCliBatch();
    figures.add({
      name: 'triage CLI, 10,000 cases, start-up included',
      value: batch.seconds,
      unit: 's',
      digits: 2,
    });
  }
  if (want('http')) await benchHttp(figures, { seconds, connections, ceilingSeconds: 3 });
  if (want('scale')) {
    const { benchScale } = await import('./scale/scale.bench.ts');
    await benchScale(figures, {
      seconds: Math.min(seconds, 10),
      clinics,
      ...(values.dialect === undefined ? {} : { dialect: values.dialect }),
    });
  }
  if (want('instructions')) {
    const { benchInstructions } = await import('./instructions.ts');
    await benchInstructions(figures, {
      warm: checkins,
      count: checkins,
      connections,
      keepDump: values['keep-dump'],
    });
  }
}
figures.summary('Summary');
