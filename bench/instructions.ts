/**
 * `npm run bench -- instructions` (decision 1485): the check-in counted in instructions instead
 * of seconds. The bench's SQLite server runs under valgrind's callgrind; after a warm-up, the
 * counters are zeroed, a fixed number of check-ins is posted at 32 connections, and the counters
 * are dumped. Prints the server's main thread's instructions per check-in, and the native
 * functions that took the most of them.
 *
 * Instructions are not time, and callgrind runs the server ~50× slower, so this is no rate. What
 * it buys is repeatability: native code (SQLite, OpenSSL, V8's runtime and Node's C++) is counted
 * the same from one run to the next whatever else the machine is doing, so two versions of the
 * code can be told apart by a change of a few percent in one function. The JavaScript that V8
 * compiled moves between tiers with the timing of its compiler's threads, so the main thread's
 * whole count moves by a few percent between runs of the same code.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postCheckIns } from './load.ts';
import { firstLine, serverCounts, stopChild } from './servers.ts';
import type { Figures } from './stats.ts';

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));

/** One function's line of `callgrind_annotate`: its instructions and its name. */
export interface CountedFunction {
  readonly instructions: number;
  readonly name: string;
}

/** The instructions a callgrind dump counted in all (its `summary:` or `totals:` line). */
export function dumpTotal(dump: string): number {
  const m = /^(?:summary|totals): (\d+)/m.exec(dump);
  if (m?.[1] === undefined) throw new Error('callgrind dump without a summary line');
  return Number(m[1]);
}

/**
 * The functions of `callgrind_annotate`'s listing, heaviest first: `1,234 ( 5.67%)  file:name
 * [object]`. Code V8 compiled at run time has no name (`???:0x…`) and is left out, as is the
 * program's total.
 */
export function annotatedFunctions(listing: string): CountedFunction[] {
  const out: CountedFunction[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*?)(?:\s+\[[^\]]*\])?\s*$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const where = m[2];
    if (where === 'PROGRAM TOTALS') continue;
    // `file:function`: the file is `???` or a path; a C++ name's own `::` come after it.
    const name = where.slice(where.indexOf(':') + 1);
    if (/^0x[0-9a-f]+$/.test(name)) continue;
    out.push({ instructions: Number(m[1].replaceAll(',', '')), name });
  }
  return out;
}

export interface InstructionsOptions {
  /** Check-ins posted before the counters are zeroed (V8 compiles the hot paths meanwhile). */
  readonly warm: number;
  /** Check-ins counted. */
  readonly count: number;
  readonly connections: number;
  /** A file to copy the main thread's dump to, for `callgrind_annotate --tree=caller` later. */
  readonly keepDump?: string | undefined;
}

/** Named native functions worth following from round to round (docs/performance.md). */
const FOLLOWED = [
  'sqlite3_step',
  'v8::internal::Builtin_DatePrototypeToISOString',
  'v8::internal::DoubleToRadixCString',
  'v8::internal::Builtin_JsonStringify',
  'v8::String::WriteUtf8',
  'sha256_block_data_order',
];

export async function benchInstructions(
  figures: Figures,
  options: InstructionsOptions,
): Promise<void> {
  for (const tool of ['valgrind', 'callgrind_control', 'callgrind_annotate']) {
    const found = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (found.error !== undefined) {
      figures.note(`instructions: skipped, ${tool} not found (Debian's package valgrind)`);
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'nc-callgrind-'));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, 'cg.%p')}`,
      process.execPath,
      '--import',
      'tsx',
      SERVER,
      'app',
      '64',
    ],
    { env, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    figures.note('instructions: starting the SQLite server under callgrind (about a minute)');
    const { url, tokens } = JSON.parse(await firstLine(child, 'server under callgrind')) as {
      url: string;
      tokens: string[];
    };
    const server = { url, tokens, child, stop: () => stopChild(child) };
    figures.note(`instructions: ${options.warm} check-ins to warm up`);
    await post(url, tokens, options.warm, options.connections);
    await serverCounts(server);
    callgrindControl('-z', child);
    figures.note(`instructions: ${options.count} check-ins counted`);
    await post(url, tokens, options.count, options.connections);
    callgrindControl('-d', child);
    const counts = await serverCounts(server);
    const dumps = readdirSync(dir).filter((f) => /\.1-\d+$/.test(f));
    const main = dumps.find((f) => f.endsWith('-01'));
    if (main === undefined) throw new Error('callgrind wrote no dump of the main thread');
    const mainTotal = dumpTotal(readFileSync(join(dir, main), 'utf8'));
    if (options.keepDump !== undefined) {
      copyFileSync(join(dir, main), options.keepDump);
      figures.note(`instructions: the main thread's dump is kept in ${options.keepDump}`);
    }
    const allTotal = dumps.reduce(
      (sum, f) => sum + dumpTotal(readFileSync(join(dir, f), 'utf8')),
      0,
    );
    figures.add({
      name: 'check-in under callgrind (SQLite): check-ins per group (mean)',
      value: counts.items / Math.max(1, counts.groups),
      unit: '',
      digits: 1,
    });
    figures.add({
      name: "check-in under callgrind (SQLite): the server's main thread, instructions per check-in",
      value: mainTotal / counts.items,
      unit: 'instructions',
    });
    figures.add({
      name: "check-in under callgrind (SQLite): the server's every thread, instructions per check-in",
      value: allTotal / counts.items,
      unit: 'instructions',
    });
    const annotate = (inclusive: boolean) =>
      annotatedFunctions(
        execFileSync(
          'callgrind_annotate',
          [`--inclusive=${inclusive ? 'yes' : 'no'}`, '--threshold=100', join(dir, main)],
          { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
        ),
      );
    const inclusive = annotate(true);
    for (const name of FOLLOWED) {
      const f = inclusive.find((c) => c.name === name || c.name.startsWith(`${name}(`));
      if (f === undefined) {
        figures.note(`instructions: ${name} not seen on the main thread (another build?)`);
        continue;
      }
      figures.add({
        name: `check-in under callgrind (SQLite): in ${name}, with what it calls, per check-in`,
        value: f.instructions / counts.items,
        unit: 'instructions',
      });
    }
    // Frames on the stack when the counters were zeroed (`main`, the event loop) are charged
    // the whole count as their own; they are not where the work is.
    const own = annotate(false)
      .filter((f) => f.instructions < 0.9 * mainTotal)
      .slice(0, 12);
    figures.note(
      "instructions: the main thread's heaviest named functions, their own instructions per check-in:",
    );
    for (const f of own)
      figures.note(
        `   ${Math.round(f.instructions / counts.items)
          .toLocaleString('en-US')
          .padStart(8)}  ${f.name.slice(0, 100)}`,
      );
  } finally {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function callgrindControl(flag: '-z' | '-d', child: ChildProcess): void {
  execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
}

/** Post exactly `amount` check-ins over `connections`; any failure ends the bench. */
async function post(
  url: string,
  tokens: readonly string[],
  amount: number,
  connections: number,
): Promise<void> {
  const result = await postCheckIns({ url, tokens, connections, seconds: 0, amount });
  if (result.failures > 0)
    throw new Error(`${result.failures} of ${amount} check-ins failed under callgrind`);
}
