/**
 * A cap on the live-update streams (SSE) one staff session holds open (issue 12, finding 7):
 * each stream polls the database, so a session (or a stolen cookie) must not open hundreds.
 * Sessions are counted by the cookie's sha256, never the cookie. In memory, per app process.
 */
import { sha256Hex } from '../../services/secrets.ts';

/** Open streams one session may hold: a few tabs. */
export const MAX_STREAMS_PER_SESSION = 6;

export interface StreamCap {
  /** Count a stream for this session; `undefined` when it already holds the most allowed. */
  open(sessionCookie: string): (() => void) | undefined;
}

export function createStreamCap(max = MAX_STREAMS_PER_SESSION): StreamCap {
  const open = new Map<string, number>();
  return {
    open(sessionCookie) {
      const key = sha256Hex(sessionCookie);
      const count = open.get(key) ?? 0;
      if (count >= max) return undefined;
      open.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left <= 0) open.delete(key);
        else open.set(key, left);
      };
    },
  };
}
