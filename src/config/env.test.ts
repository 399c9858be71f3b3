import { describe, expect, it } from 'vitest';
import { AUDIT_LANES } from '../store/audit.repository.ts';
import {
  ARGON2_OWASP,
  auditLaneFor,
  ConfigError,
  loadConfig,
  parseEnv,
  WORKER_AUDIT_LANE,
  workerIdOf,
} from './env.ts';

describe('parseEnv', () => {
  it('gives safe defaults for an empty environment', () => {
    const result = parseEnv({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      sqlitePath: './data/needlecare.db',
      publicUrl: 'http://127.0.0.1:3000',
      cookieSecure: true,
      logLevel: 'info',
      sessionTtlHours: 12,
      sessionIdleMinutes: 30,
      argon2: ARGON2_OWASP,
      signIn: { maxFailures: 5, lockMinutes: 15 },
    });
  });

  it('reads every variable', () => {
    const result = parseEnv({
      HOST: '0.0.0.0',
      PORT: '8080',
      DATABASE_URL: 'postgres://u@db:5432/nc',
      NEEDLECARE_DB: '/var/lib/nc.db',
      PUBLIC_URL: 'https://care.example.org/',
      COOKIE_SECURE: 'true',
      LOG_LEVEL: 'WARN',
      SESSION_TTL_HOURS: '8',
      SESSION_IDLE_MINUTES: '15',
      TRUST_PROXY: 'yes',
    });
    expect(result.ok && result.value).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      databaseUrl: 'postgres://u@db:5432/nc',
      sqlitePath: '/var/lib/nc.db',
      publicUrl: 'https://care.example.org',
      logLevel: 'warn',
      sessionTtlHours: 8,
      sessionIdleMinutes: 15,
      trustProxy: true,
    });
  });

  it('lists every bad variable by name in one message', () => {
    const env = {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      PUBLIC_URL: 'not a url',
      COOKIE_SECURE: 'maybe',
      LOG_LEVEL: 'loud',
      SESSION_TTL_HOURS: '48',
      SESSION_IDLE_MINUTES: '-1',
    };
    const result = parseEnv(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual([
      'PORT',
      'DATABASE_URL',
      'PUBLIC_URL',
      'COOKIE_SECURE',
      'LOG_LEVEL',
      'SESSION_TTL_HOURS',
      'SESSION_IDLE_MINUTES',
    ]);
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      for (const name of Object.keys(env)) expect((error as Error).message).toContain(name);
    }
  });

  it('reads the audit lane: unset by default, a whole number up to the lanes the chain has', () => {
    expect(loadConfig({}).auditLane).toBeUndefined();
    expect(loadConfig({ NEEDLECARE_AUDIT_LANE: '7' }).auditLane).toBe(7);
    expect(WORKER_AUDIT_LANE).toBe(AUDIT_LANES);
    for (const bad of ['0', '1.5', 'two', String(AUDIT_LANES + 1)]) {
      const result = parseEnv({ NEEDLECARE_AUDIT_LANE: bad });
      expect(result.ok ? [] : result.problems).toEqual([
        `NEEDLECARE_AUDIT_LANE: must be a whole number from 1 to ${AUDIT_LANES} (got "${bad}")`,
      ]);
    }
  });

  it('gives a server lane 1 and a worker the last lane unless told, and both lane 1 on SQLite', () => {
    const pg = 'postgres://db.example/needlecare';
    const unset = { databaseUrl: pg, auditLane: undefined };
    expect(auditLaneFor(unset, 'server')).toBe(1);
    expect(auditLaneFor(unset, 'worker')).toBe(AUDIT_LANES);
    const told = { databaseUrl: pg, auditLane: 9 };
    expect(auditLaneFor(told, 'server')).toBe(9);
    expect(auditLaneFor(told, 'worker')).toBe(9);
    for (const role of ['server', 'worker'] as const) {
      expect(auditLaneFor({ databaseUrl: undefined, auditLane: 9 }, role)).toBe(1);
      expect(auditLaneFor({ databaseUrl: undefined, auditLane: undefined }, role)).toBe(1);
    }
  });

  it('refuses COOKIE_SECURE=false with an https PUBLIC_URL', () => {
    const result = parseEnv({ PUBLIC_URL: 'https://x.example', COOKIE_SECURE: 'false' });
    expect(result.ok).toBe(false);
  });

  it('never lowers Argon2 below the OWASP parameters from the environment', () => {
    const result = parseEnv({ ARGON2_MEMORY_COST: '8' });
    expect(result.ok && result.value.argon2).toEqual(ARGON2_OWASP);
  });
});

describe('one configuration for server, worker and CLI', () => {
  // [name, environment, expected public URL, expected SQLite path, expected database URL]
  const cases: Array<[string, Record<string, string>, string, string, string | undefined]> = [
    ['nothing set', {}, 'http://127.0.0.1:3000', './data/needlecare.db', undefined],
    ['PORT=8080', { PORT: '8080' }, 'http://127.0.0.1:8080', './data/needlecare.db', undefined],
    [
      'HOST and PORT',
      { HOST: '0.0.0.0', PORT: '8080' },
      'http://0.0.0.0:8080',
      './data/needlecare.db',
      undefined,
    ],
    [
      'an IPv6 HOST',
      { HOST: '::1', PORT: '8080' },
      'http://[::1]:8080',
      './data/needlecare.db',
      undefined,
    ],
    [
      'PUBLIC_URL wins over PORT',
      { PORT: '8080', PUBLIC_URL: 'https://care.example.org/' },
      'https://care.example.org',
      './data/needlecare.db',
      undefined,
    ],
    [
      'NEEDLECARE_DB',
      { NEEDLECARE_DB: '/srv/nc.db' },
      'http://127.0.0.1:3000',
      '/srv/nc.db',
      undefined,
    ],
    [
      'DATABASE_URL',
      { DATABASE_URL: 'postgres://db/nc' },
      'http://127.0.0.1:3000',
      './data/needlecare.db',
      'postgres://db/nc',
    ],
  ];
  it.each(cases)('%s: server and worker read the same values', (_name, env, url, path, dbUrl) => {
    const config = loadConfig(env);
    // The server's links, the worker's links and the database every command opens.
    expect(config.publicUrl).toBe(url);
    expect(config.sqlitePath).toBe(path);
    expect(config.databaseUrl).toBe(dbUrl);
    expect(config.worker.mailFrom).toBe(
      `Needlecare <no-reply@${new URL(url).hostname.replace(/^\[|\]$/g, '')}>`,
    );
  });

  it('reads the worker variables', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://mail.example:465',
      MAIL_FROM: 'Clinic <care@example.org>',
      SMS_GATEWAY_URL: 'https://sms.example/send',
      SMS_GATEWAY_TOKEN: 'tok',
      WORKER_ID: 'w1',
      WORKER_POLL_MS: '500',
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_LEASE_SECONDS: '20',
    });
    expect(config.worker).toEqual({
      smtpUrl: 'smtps://mail.example:465',
      mailFrom: 'Clinic <care@example.org>',
      smsGatewayUrl: 'https://sms.example/send',
      smsGatewayToken: 'tok',
      id: 'w1',
      pollIntervalMs: 500,
      maxAttempts: 3,
      leaseMs: 20_000,
    });
    expect(workerIdOf(config, { hostname: 'h', pid: 1 })).toBe('w1');
    expect(workerIdOf(loadConfig({}), { hostname: 'h', pid: 7 })).toBe('h:7');
  });

  const bad: Array<[string, Record<string, string>, string[]]> = [
    [
      'a server and a worker variable',
      { PORT: 'x', SMTP_URL: 'http://mail' },
      ['PORT', 'SMTP_URL'],
    ],
    [
      'an SMS URL without its token',
      { SMS_GATEWAY_URL: 'https://sms.example' },
      ['SMS_GATEWAY_TOKEN'],
    ],
    [
      'poll and attempts out of range',
      { WORKER_POLL_MS: '5', OUTBOX_MAX_ATTEMPTS: '0' },
      ['WORKER_POLL_MS', 'OUTBOX_MAX_ATTEMPTS'],
    ],
  ];
  it.each(bad)('%s: one message naming each', (_name, env, names) => {
    const result = parseEnv(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(':')[0])).toEqual(names);
  });
});
