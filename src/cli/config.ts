import { type AppConfig, ConfigError, loadConfig } from '../config/env.ts';
import type { CliIo } from './io.ts';
import { EXIT_USAGE } from './io.ts';

/**
 * The one configuration read of every command (serve, worker, start, migrate, audit): the
 * environment parsed once by `loadConfig`. A bad environment writes one message naming every
 * bad variable and gives exit code 2.
 */
export function readConfig(
  command: string,
  io: CliIo,
  env: NodeJS.ProcessEnv = io.env,
): AppConfig | number {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`needlecare ${command}: ${error.message}\n`);
    return EXIT_USAGE;
  }
}
