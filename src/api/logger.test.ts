import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from './logger.ts';

/** A logger at `level` and the lines it wrote, without their time. */
function capture(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line !== '') lines.push(line.replace(/"time":"[^"]*",/, ''));
      }
      done();
    },
  });
  return { logger: createLogger(level, sink) as unknown as FastifyBaseLogger, lines };
}

const failure = new TypeError('boom');

/** The same calls a request's handlers make: plain, with fields, an error, redacted, nested. */
function writeThrough(log: FastifyBaseLogger): void {
  log.info({ method: 'POST', route: '/api/v1/p/:token/check-ins', status: 201 }, 'request');
  log.warn('unknown patient-link token');
  log.error({ err: failure }, 'request failed');
  log.info({ user: { email: 'p@example.test', password: 'hunter2' } }, 'redacted');
  log.debug('below info');
  log.child({ part: 'nested' }).warn({ note: 'secret' }, 'from a child');
}

describe('requestLogger', () => {
  it("writes exactly what pino's own child writes, request id included", () => {
    const id = randomUUID();
    const ours = capture();
    const pinos = capture();
    writeThrough(requestLogger(ours.logger, { reqId: id }, {}));
    writeThrough(pinos.logger.child({ reqId: id }, {}));
    expect(ours.lines).toHaveLength(6);
    expect(ours.lines).toEqual(pinos.lines);
    expect(ours.lines[0]).toContain(`"service":"needlecare","reqId":"${id}","method":"POST"`);
    expect(ours.lines.join('\n')).not.toContain('hunter2');
    expect(ours.lines.join('\n')).not.toContain('p@example.test');
  });

  it("keeps the parent's level and leaves the parent unbound", () => {
    const { logger, lines } = capture('info');
    const child = requestLogger(logger, { reqId: randomUUID() }, {});
    child.debug('not written');
    logger.info('from the parent');
    expect(child.level).toBe('info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('reqId');
  });

  it("goes through pino's child() for any other id, binding, level or serializers", () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ reqId: 'req-1' }, {}],
      [{ reqId: 'a"b' }, {}],
      [{ reqId: 7 }, {}],
      [{ reqId: randomUUID(), extra: 'x' }, {}],
      [{ reqId: randomUUID() }, { level: 'debug' }],
      [{ reqId: randomUUID() }, { serializers: { route: () => 'hidden' } }],
    ];
    for (const [bindings, options] of cases) {
      const ours = capture('info');
      const pinos = capture('info');
      const write = (log: FastifyBaseLogger) => {
        log.debug({ route: '/x' }, 'maybe');
        log.info({ route: '/x' }, 'request');
      };
      write(requestLogger(ours.logger, bindings, options));
      write(pinos.logger.child(bindings, options));
      expect(ours.lines, JSON.stringify(bindings)).toEqual(pinos.lines);
      expect(ours.lines.at(-1)).toContain(`"reqId":${JSON.stringify(bindings.reqId)}`);
    }
  });
});
