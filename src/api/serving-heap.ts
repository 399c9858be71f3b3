import v8 from 'node:v8';

/**
 * For a process that serves requests: V8 does not pretenure by allocation site (decision 1447).
 * Under a burst, objects made at some sites outlive young collections, and V8 then allocates
 * everything those sites make straight into the old generation, for good. Back at an ordinary
 * pace, those objects die young but stay until a full collection, and keep alive whatever young
 * objects they point to: each scavenge then promotes a request's worth of garbage, and the full
 * collections that follow are the check-in's latency tail. The flag is read as objects are
 * allocated, so setting it after start-up is enough.
 */
export function tuneHeapForServing(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
