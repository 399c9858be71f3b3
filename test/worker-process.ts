/**
 * A real `needlecare worker` in a child process (fault tests): started against a database,
 * stopped with SIGTERM or killed with SIGKILL. Its stdout/stderr are kept for diagnosis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { TEST_KEY_ENV } from '../src/store/test-keys.ts';
import { BIN } from './cli-harness.ts';

export interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL: no clean-up at all, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    // The same keys as the in-process test server, so both open what the other sealed.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...TEST_KEY_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    output: () => out,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
