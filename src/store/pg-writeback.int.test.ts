import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../../test/dialects.ts';
import { createDb, type Db } from './db.ts';

/** `backend_flush_after` as the connection running the handle's first statement has it. */
async function firstSeen(db: Db): Promise<string> {
  const { rows } = await sql<{ backend_flush_after: string }>`show backend_flush_after`.execute(db);
  return rows[0]?.backend_flush_after ?? '';
}

/** The suite's database name, from its URL. */
function databaseOf(url: string): string {
  return new URL(url).pathname.slice(1);
}

describePostgres('each connection writes its data pages back as it goes (decision 1489)', (ctx) => {
  /** What the server itself says, on a plain `pg` connection that is not the pool's. */
  let server: { shown: string; source: string; maxVal: number };
  const opened: Db[] = [];
  const open = (url: string): Db => {
    const db = createDb({ databaseUrl: url, poolMax: 1 });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: ctx.config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ shown: string; source: string; max_val: string }>(
        `select current_setting('backend_flush_after') as shown, source, max_val
           from pg_settings where name = 'backend_flush_after'`,
      );
      const row = rows[0];
      if (row === undefined) throw new Error('no backend_flush_after on this server');
      server = { shown: row.shown, source: row.source, maxVal: Number(row.max_val) };
    } finally {
      await client.end();
    }
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
  });

  it('sets 256 kB before the first statement a new connection runs, where the server has its default', async () => {
    const seen = await firstSeen(open(ctx.config.databaseUrl as string));
    if (server.source === 'default' && server.maxVal >= 32) expect(seen).toBe('256kB');
    else expect(seen).toBe(server.shown);
  });

  it("keeps a value the database's owner set, 0 included", async () => {
    const url = ctx.config.databaseUrl as string;
    const name = databaseOf(url);
    await sql`alter database ${sql.id(name)} set backend_flush_after = 0`.execute(ctx.db);
    try {
      expect(await firstSeen(open(url))).toBe('0');
    } finally {
      await sql`alter database ${sql.id(name)} reset backend_flush_after`.execute(ctx.db);
    }
    await sql`alter database ${sql.id(name)} set backend_flush_after = '64kB'`.execute(ctx.db);
    try {
      expect(await firstSeen(open(url))).toBe('64kB');
    } finally {
      await sql`alter database ${sql.id(name)} reset backend_flush_after`.execute(ctx.db);
    }
  });

  it("keeps a value the connection's URL asks for", async () => {
    const url = new URL(ctx.config.databaseUrl as string);
    url.searchParams.set('options', '-c backend_flush_after=0');
    expect(await firstSeen(open(url.toString()))).toBe('0');
  });
});
