/**
 * `npm run bench [triage] [http]`: measures and prints; asserts nothing about time. Compare
 * ratios within one run, never absolute figures across machines.
 */
import { benchHttp } from './http.bench.ts';
import { benchCliBatch, benchTriageInProcess } from './triage.bench.ts';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('triage')) {
  const { casesPerSecond } = benchTriageInProcess();
  console.log(
    `triage (in process):      ${Math.round(casesPerSecond).toLocaleString('en')} cases/s`,
  );
  const batch = await benchCliBatch();
  console.log(
    `triage CLI, 10,000 cases: ${batch.seconds.toFixed(2)} s (${Math.round(batch.cases / batch.seconds).toLocaleString('en')} cases/s, start-up included)`,
  );
}
if (want('http')) await benchHttp();
