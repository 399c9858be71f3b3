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
export function drainOnClose(app: FastifyInstance, everyMs = 25): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    const server = app.server;
    if (server.listening) {
      const timer = setInterval(() => server.closeIdleConnections(), everyMs);
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
