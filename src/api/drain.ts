import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * A stop that does not wait for keep-alive connections (decision 0804).
 *
 * `server.close()` closes the connections idle at that moment. A request still running then
 * answers later over a keep-alive connection, which stays open until the client closes it or
 * `keepAliveTimeout` (72 s in Fastify) passes: the stop waits that long. So, once the stop
 * begins, every answer says `Connection: close` (Node closes its socket after it), and the
 * connections that fall idle later (an event stream ended at the stop, an answer whose headers
 * were already sent) are closed every `everyMs` until the server has closed.
 */
export function drainOnClose(app: FastifyInstance, everyMs = 25, graceMs = 1000): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    const server = app.server;
    if (server.listening) {
      const began = Date.now();
      const timer = setInterval(() => {
        server.closeIdleConnections();
        // A connection whose request never finished arriving (headers or a body cut short) is
        // neither idle nor being answered, and would hold the stop until Node's request
        // timeout (decision 0804 addendum): after `graceMs` it is closed too.
        if (Date.now() - began >= graceMs) closeUnanswered(server);
      }, everyMs);
      timer.unref();
      server.once('close', () => clearInterval(timer));
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/** The server's connection list (Node's own, the one `closeIdleConnections` uses), if any. */
function connectionsOf(server: Server): unknown[] | undefined {
  const key = Object.getOwnPropertySymbols(server).find(
    (symbol) => symbol.description === 'http.server.connections',
  );
  const list = key === undefined ? undefined : (server as unknown as Record<symbol, unknown>)[key];
  if (typeof (list as { all?: unknown } | undefined)?.all !== 'function') return undefined;
  return (list as { all(): unknown[] }).all();
}

interface OpenConnection {
  readonly socket?: {
    _httpMessage?: {
      finished?: boolean;
      writableFinished?: boolean;
      req?: { method?: string; url?: string };
    } | null;
    readonly writableLength?: number;
    destroy(): void;
  };
}

/** The answer being written on `connection`, or undefined when none is unfinished. */
function answerOf(connection: unknown) {
  const answer = (connection as OpenConnection).socket?._httpMessage;
  return answer === undefined || answer === null || answer.finished === true ? undefined : answer;
}

/**
 * Close every connection with no answer being written on it (a stop past its grace). An answer
 * ended but not yet flushed to its client (a large download to a slow one) is still written.
 */
function closeUnanswered(server: Server): void {
  for (const connection of connectionsOf(server) ?? []) {
    const socket = (connection as OpenConnection).socket;
    const answer = socket?._httpMessage;
    const writing =
      (answer !== undefined && answer !== null && answer.writableFinished !== true) ||
      (socket?.writableLength ?? 0) > 0;
    if (!writing) socket?.destroy();
  }
}

/** A path segment this long is a token or an id: never printed (a link's token is a secret). */
const LONG_SEGMENT = 16;

/**
 * The requests `server` is still answering, as `METHOD /path` (the query left out, and every
 * path segment of 16 characters or more written `…`), for a stop that hangs (decision 0804).
 * Read from Node's own list of the server's connections, the one `closeIdleConnections` uses;
 * undefined when this Node has no such list.
 */
export function requestsInFlight(server: Server): string[] | undefined {
  const connections = connectionsOf(server);
  if (connections === undefined) return undefined;
  const out: string[] = [];
  for (const connection of connections) {
    const answer = answerOf(connection);
    if (answer === undefined) continue;
    const path = (answer.req?.url ?? '?').split('?')[0] ?? '';
    const shown = path
      .split('/')
      .map((segment) => (segment.length >= LONG_SEGMENT ? '…' : segment))
      .join('/');
    out.push(`${answer.req?.method ?? '?'} ${shown}`);
  }
  return out;
}
