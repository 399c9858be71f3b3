import { tuneHeapForServing } from '../../api/serving-heap.ts';
import { productUrls } from '../../services/urls.ts';
import { parseCommandArgs } from '../args.ts';
import { readConfig } from '../config.ts';
import { DEMO, seedDemo } from '../demo-seed.ts';
import type { CliIo } from '../io.ts';
import { EXIT_FAILURE } from '../io.ts';
import type { RunningServer } from './serve.ts';
import { outboxEvents, runUntilSignal, startServer } from './serve.ts';

const USAGE = `usage: needlecare start

Runs the product locally (what \`npm start\` runs): SQLite at NEEDLECARE_DB (default
./data/needlecare.db), a demo clinic seeded once, one in-process outbox worker, and a printout of
where to click. Takes no options; configure it with the environment of \`needlecare serve --help\`
(COOKIE_SECURE defaults to false and LOG_LEVEL to error here, so the demo's undeliverable
messages do not flood the terminal).
`;

/**
 * `needlecare start` (what `npm start` runs): the product on a local SQLite file with a demo
 * clinic, one in-process worker, and a printout of where to click. Plain http on 127.0.0.1, so
 * the session cookie is not `Secure` unless COOKIE_SECURE says otherwise.
 */
export async function startCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs({ name: 'start', usage: USAGE, options: {} }, args, io);
  if (typeof parsed === 'number') return parsed;
  const config = readConfig('start', io, { COOKIE_SECURE: 'false', LOG_LEVEL: 'error', ...io.env });
  if (typeof config === 'number') return config;
  let link = '';
  let created = false;
  let server: RunningServer;
  const events = outboxEvents(config);
  tuneHeapForServing();
  try {
    io.stdout.write(
      `needlecare: starting on ${config.databaseUrl === undefined ? config.sqlitePath : 'PostgreSQL'}…\n`,
    );
    server = await startServer(config, io, events, {
      worker: true,
      beforeListen: async (db) => {
        const demo = await seedDemo(db, config, new Date(), events);
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
  const urls = productUrls(config.publicUrl);
  io.stdout.write(
    [
      '',
      `Needlecare is running at ${urls.base}  (${created ? 'demo clinic created' : 'demo clinic already there'})`,
      '',
      `  Practitioner dashboard  ${urls.dashboard()}`,
      `    sign in as ${DEMO.practitioner.email} / ${DEMO.practitioner.password}`,
      `    or the admin ${DEMO.admin.email} / ${DEMO.admin.password}`,
      `  A patient's page        ${link}`,
      `  API docs                ${urls.apiDocs()}`,
      '',
      ...(config.worker.smtpUrl === undefined || config.worker.smsGatewayUrl === undefined
        ? [
            'E-mail or SMS is not set up (SMTP_URL, SMS_GATEWAY_URL): those messages are retried,',
            'then kept as dead letters in the outbox.',
            '',
          ]
        : []),
      'Demo credentials only: never use them with real patients. Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return runUntilSignal(server, io);
}
