import { describe, expect, it } from 'vitest';
import { ARGON2_OWASP, ConfigError, loadConfig, parseEnv } from './env.ts';

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

  it('refuses COOKIE_SECURE=false with an https PUBLIC_URL', () => {
    const result = parseEnv({ PUBLIC_URL: 'https://x.example', COOKIE_SECURE: 'false' });
    expect(result.ok).toBe(false);
  });

  it('never lowers Argon2 below the OWASP parameters from the environment', () => {
    const result = parseEnv({ ARGON2_MEMORY_COST: '8' });
    expect(result.ok && result.value.argon2).toEqual(ARGON2_OWASP);
  });
});
