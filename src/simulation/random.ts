/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so the same
 * seed gives the same cohort on every machine. Not for secrets: for simulation only.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The generator for stream `stream` of seed `seed`. Each simulated session gets its own stream
 * (its index), so a session's draws do not depend on how many draws the sessions before it made.
 */
export function createRandom(seed: number, stream = 0): Random {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x2545f491));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  if ((a | b | c | d) === 0) a = 1;
  return {
    next(): number {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return result / 4_294_967_296;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function chance(random: Random, p: number): boolean {
  return random.next() < p;
}

export function uniform(random: Random, from: number, to: number): number {
  return from + (to - from) * random.next();
}

/** Standard normal by Box–Muller (one of the pair; simplicity over speed). */
export function normal(random: Random, mean: number, sd: number): number {
  const u = 1 - random.next();
  const v = random.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal with the given median and log-scale spread. */
export function logNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(normal(random, 0, sigma));
}

export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random.next());
}

/** One item, drawn in proportion to its weight. */
export function pickWeighted<T extends { readonly weight: number }>(
  random: Random,
  items: readonly T[],
): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let r = random.next() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  const last = items[items.length - 1];
  if (last === undefined) throw new RangeError('pickWeighted: no items');
  return last;
}
