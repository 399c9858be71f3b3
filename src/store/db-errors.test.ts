import { describe, expect, it } from 'vitest';
import { isConnectionLost, isDatabaseUnavailable } from './db-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('database errors', () => {
  it.each([
    ['admin shutdown (pg_terminate_backend, restart)', withCode('terminating connection', '57P01')],
    ['crash shutdown', withCode('terminating connection', '57P02')],
    ['starting up', withCode('the database system is starting up', '57P03')],
    ['connection failure class 08', withCode('connection failure', '08006')],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['socket closed under a query', new Error('Connection terminated unexpectedly')],
    [
      'broken client reused',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'wrapped in a cause',
      new Error('query failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
    ],
    [
      'an AggregateError of both address families',
      Object.assign(
        new AggregateError([withCode('x', 'ECONNREFUSED'), withCode('y', 'ECONNREFUSED')]),
        {},
      ),
    ],
  ])('%s: connection lost, database unavailable', (_name, error) => {
    expect(isConnectionLost(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['SQLITE_BUSY', withCode('database is locked', 'SQLITE_BUSY')],
    ['SQLITE_BUSY_SNAPSHOT', withCode('database is locked', 'SQLITE_BUSY_SNAPSHOT')],
  ])('%s: unavailable, but no connection was lost (never retried)', (_name, error) => {
    expect(isConnectionLost(error)).toBe(false);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['unique violation', withCode('duplicate key', '23505')],
    ['syntax error', withCode('syntax error', '42601')],
    ['serialization failure', withCode('could not serialize', '40001')],
    ['SQLite constraint', withCode('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')],
    ['a message that only mentions a connection', new Error('Connection terminated unexpectedly!')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s: neither', (_name, error) => {
    expect(isConnectionLost(error)).toBe(false);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
