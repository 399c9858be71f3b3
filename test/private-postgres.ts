/**
 * A private PostgreSQL instance for fault tests (issue 16): `initdb` into a temp folder owned
 * by the `postgres` user, started with `pg_ctl` as that user on a free port of its own, so a
 * test may kill its backends or restart it without disturbing anything else on the machine.
 * Always `stop()` it in afterAll.
 *
 * `findPostgresBin()` says why it cannot run (no binaries, not root, no `postgres` user);
 * callers skip with that reason, or fail when `CI` is set.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly port: number;
  /** Terminate every client backend (as a failover or an admin would), returns how many. */
  killBackends(): Promise<number>;
  /** `pg_ctl restart -m fast`: every connection drops, new ones are refused until it is up. */
  restart(): Promise<void>;
  /** Shut the server down (fast) and leave it down until `start()`. */
  shutdown(): Promise<void>;
  start(): Promise<void>;
  /** Stop and delete the folder. Safe to call twice. */
  stop(): void;
}

/** The folder holding initdb and pg_ctl, or the reason there is none usable. */
export function findPostgresBin(): { bin: string } | { reason: string } {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (version === undefined) return { reason: `no PostgreSQL server binaries under ${base}` };
  if (process.getuid?.() !== 0) return { reason: 'not root: cannot run initdb as postgres' };
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return { reason: 'no postgres user' };
  return { bin: join(base, version, 'bin') };
}

function asPostgres(bin: string, tool: string, args: readonly string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

const execFileAsync = promisify(execFile);

/** Asynchronous, so a server in this process keeps serving while PostgreSQL restarts. */
async function asPostgresAsync(bin: string, tool: string, args: readonly string[]): Promise<void> {
  await execFileAsync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], {
    timeout: 60_000,
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** initdb, start, create `database`. */
export async function startPrivatePostgres(
  bin: string,
  database = 'faults',
): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-pg-'));
  const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  chownSync(dir, Number(ids), Number(gid));
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  let running = false;
  const stop = () => {
    if (running) {
      try {
        asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already down
      }
      running = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asPostgres(bin, 'initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c max_connections=60',
    ].join(' ');
    asPostgres(bin, 'pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
    running = true;
    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${database}`);
    await client.end();
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${database}`,
      port,
      async killBackends() {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        try {
          const r = await c.query(
            `select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity
             where backend_type = 'client backend' and pid <> pg_backend_pid()`,
          );
          return Number((r.rows[0] as { n: string }).n);
        } finally {
          await c.end();
        }
      },
      async shutdown() {
        await asPostgresAsync(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      },
      async start() {
        await asPostgresAsync(bin, 'pg_ctl', [
          '-D',
          data,
          '-w',
          '-t',
          '30',
          '-l',
          join(dir, 'log'),
          '-o',
          options,
          'start',
        ]);
      },
      async restart() {
        await asPostgresAsync(bin, 'pg_ctl', [
          '-D',
          data,
          '-m',
          'fast',
          '-w',
          '-t',
          '30',
          '-l',
          join(dir, 'log'),
          '-o',
          options,
          'restart',
        ]);
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
