import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { listAlertQueue, listReportsWhileOpen } from '../../src/store/alert-queue.repository.ts';
import { listAlerts, listAlertsForPatient } from '../../src/store/alerts.repository.ts';
import { listCheckInsForSession } from '../../src/store/checkins.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { dialectOf } from '../../src/store/db.ts';
import { claimDueOutbox } from '../../src/store/outbox.repository.ts';
import { searchPatients } from '../../src/store/patients.repository.ts';
import { listSessionsWithReports } from '../../src/store/register.repository.ts';
import { listSessionsForPatient } from '../../src/store/sessions.repository.ts';
import type { SeedIndex } from './seed.ts';

/**
 * Records every statement a function runs, so its plan can be asked for afterwards: the query
 * trees Kysely compiles (in a transaction too), and the compiled statements the traced
 * database's executor runs. Statements built once (`builtOnce`) are built from stand-ins once
 * per shape and then run as compiled text: only the second way sees them with their values.
 */
class Capture implements KyselyPlugin {
  readonly nodes: { node: RootOperationNode; queryId: PluginTransformQueryArgs['queryId'] }[] = [];
  readonly executed: CompiledQuery[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
  trace(db: Db): Db {
    const traced = db.withPlugin(this);
    const executor = traced.getExecutor();
    const run = executor.executeQuery.bind(executor);
    executor.executeQuery = <R>(compiled: CompiledQuery<R>) => {
      this.executed.push(compiled);
      return run(compiled);
    };
    return traced;
  }
  /** What was run, compiled: trees with a stand-in among their values are left out. */
  statements(db: Db): CompiledQuery[] {
    const fromTrees = this.nodes
      .filter(({ node }) => node.kind === 'SelectQueryNode' || node.kind === 'UpdateQueryNode')
      .map(({ node, queryId }) => db.getExecutor().compileQuery(node, queryId))
      .filter((q) =>
        q.parameters.every((p) => p === null || typeof p !== 'object' || Array.isArray(p)),
      );
    const run = this.executed.filter((q) => /^\s*(select|update)\b/i.test(q.sql));
    return [...fromTrees, ...run];
  }
}

class Rollback extends Error {}

/** The indexes migration 0002 added; "before" plans are taken with them dropped. */
const ADDED_INDEXES = ['alerts_clinic_queue', 'alerts_clinic_patient', 'alerts_clinic_resolved'];

/** How `listAlerts` ordered before migration 0002: two CASE expressions no index can serve. */
function listAlertsByCase(db: Db, clinicId: string) {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('clinic_id', '=', clinicId)
    .where('status', 'in', ['open', 'acknowledged'])
    .orderBy((eb) =>
      eb
        .case()
        .when('status', '=', 'open')
        .then(0)
        .when('status', '=', 'acknowledged')
        .then(1)
        .else(2)
        .end(),
    )
    .orderBy((eb) =>
      eb
        .case()
        .when('severity', '=', 'emergency')
        .then(0)
        .when('severity', '=', 'urgent')
        .then(1)
        .else(2)
        .end(),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
}

async function plan(db: Db, query: CompiledQuery): Promise<string> {
  const sqlite = dialectOf(db) === 'sqlite';
  const result = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`${sqlite ? 'explain query plan' : 'explain'} ${query.sql}`, [
      ...query.parameters,
    ]),
  );
  return result.rows
    .map((r) => (sqlite ? String(r.detail) : String(r['QUERY PLAN'])))
    .map((line) => `        ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`)
    .join('\n');
}

/**
 * Print the plan of every statement the hot operations run, before migration 0002's indexes
 * (dropped inside a transaction that is rolled back) and after.
 */
export async function explainHotQueries(
  db: Db,
  index: SeedIndex,
  say: (text: string) => void,
): Promise<void> {
  const clinic = index.clinics[0];
  if (clinic === undefined) return;
  const patientId = clinic.patientIds[0] as string;
  const ops: [string, (d: Db) => Promise<unknown>][] = [
    ['alert list ordered by CASE (before 0002)', (d) => listAlertsByCase(d, clinic.id)],
    [
      'listAlerts (queue_rank)',
      (d) => listAlerts(d, clinic.id, { status: ['open', 'acknowledged'], limit: 500 }),
    ],
    ['alert queue, set-based (listAlertQueue)', (d) => listAlertQueue(d, clinic.id)],
    [
      "reports beside the queue's alerts (listReportsWhileOpen, decision 1452)",
      async (d) => {
        const alerts = await listAlerts(db, clinic.id, {
          status: ['open', 'acknowledged'],
          limit: 500,
        });
        await listReportsWhileOpen(d, clinic.id, alerts);
      },
    ],
    [
      'patient page',
      async (d) => {
        const sessions = await listSessionsForPatient(d, clinic.id, patientId);
        await listAlertsForPatient(d, clinic.id, patientId);
        await listCheckInsForSession(d, sessions[0]?.id ?? '');
      },
    ],
    ['patient search', (d) => searchPatients(d, clinic.id, 'mar', 20)],
    [
      'register, 365 days',
      (d) =>
        listSessionsWithReports(d, clinic.id, new Date(Date.now() - 365 * 86_400_000), new Date()),
    ],
    [
      'outbox claim',
      (d) =>
        d
          .transaction()
          .execute(async (trx) => {
            await claimDueOutbox(trx, {
              now: new Date(),
              workerId: 'explain',
              limit: 100,
              leaseMs: 1000,
            });
            throw new Rollback();
          })
          .catch((e: unknown) => {
            if (!(e instanceof Rollback)) throw e;
          }),
    ],
  ];
  const captured: [string, CompiledQuery[]][] = [];
  for (const [name, op] of ops) {
    const capture = new Capture();
    await op(capture.trace(db));
    const seen = new Set<string>();
    const queries: CompiledQuery[] = [];
    for (const compiled of capture.statements(db)) {
      if (seen.has(compiled.sql)) continue;
      seen.add(compiled.sql);
      queries.push(compiled);
    }
    captured.push([name, queries]);
  }
  for (const phase of ['before', 'after'] as const) {
    say(`\n  EXPLAIN, ${phase} migration 0002's indexes (${dialectOf(db)}):`);
    await db
      .transaction()
      .execute(async (trx) => {
        if (phase === 'before') {
          for (const name of ADDED_INDEXES) await trx.schema.dropIndex(name).execute();
        }
        for (const [name, queries] of captured) {
          if (phase === 'after' && name.includes('before 0002')) continue;
          if (phase === 'before' && name.includes('queue_rank')) continue;
          say(`    ${name}`);
          for (const q of queries) {
            say(
              `      ${q.sql.replace(/\s+/g, ' ').slice(0, 160)}${q.sql.length > 160 ? '…' : ''}`,
            );
            say(await plan(trx, q));
          }
        }
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }
}
