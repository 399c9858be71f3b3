import { seedDemo, DEMO } from '../demo-seed.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE, EXIT_USAGE } from '../io.ts';
import type { RunningServer } from './serve.ts';
import { loadServeConfig, outboxEvents, runUntilSignal, startServer } from './serve.ts';

/**
 * `needlecare start` (what `npm start` runs): the product on a local SQLite file with a demo
 * clinic, one in-process worker, and a printout of where to click. Plain http on 127.0.0.1, so
 * the session cookie is not `Secure` unless COOKIE_SECURE says otherwise.
 */
export async function startCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    io.stderr.write(
      'needlecare start: takes no options (configure with the environment, see `needlecare serve --help`)\n',
    );
    return EXIT_USAGE;
  }
  const env = { COOKIE_SECURE: 'false', LOG_LEVEL: 'warn', ...io.env };
  const loaded = loadServeConfig('start', io, env, true);
  if (typeof loaded === 'number') return loaded;
  const { config, worker } = loaded;
  let link = '';
  let created = false;
  let server: RunningServer;
  try {
    io.stdout.write(
      `needlecare: starting on ${config.databaseUrl === undefined ? config.sqlitePath : 'PostgreSQL'}…\n`,
    );
    server = await startServer(config, io, outboxEvents(config), {
      ...(worker === undefined ? {} : { worker }),
      beforeListen: async (db) => {
        const demo = await seedDemo(db, config, new Date());
        link = demo.patientLink;
        created = demo.created;
      },
    });
  } catch (error) {
    io.stderr.write(
      `needlecare start: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stdout.write(
    [
      '',
      `Needlecare is running at ${server.url}  (${created ? 'demo clinic created' : 'demo clinic already there'})`,
      '',
      `  Practitioner dashboard  ${server.url}/app`,
      `    sign in as ${DEMO.practitioner.email} / ${DEMO.practitioner.password}`,
      `    or the admin ${DEMO.admin.email} / ${DEMO.admin.password}`,
      `  A patient's page        ${link}`,
      `  API docs                ${server.url}/api/docs`,
      '',
      'Demo credentials only: never use them with real patients. Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return runUntilSignal(server, io);
}
