import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * `bin/needlecare.js` runs the CLI from an esbuild bundle and falls back to tsx, silently, when
 * the bundle cannot be made or loaded (decision 1021). Without this test a bundling mistake
 * would only show as a slower start: here the bundle must build and load, and its `main` must
 * answer like the sources'.
 */
it('the command bundle builds and loads (no silent fall-back to tsx)', async () => {
  const compiled = (await import(
    fileURLToPath(new URL('../../bin/compiled.js', import.meta.url))
  )) as { loadCompiledMain(): Promise<{ main?: unknown } | undefined> };
  const previous = process.env.NEEDLECARE_TSX;
  delete process.env.NEEDLECARE_TSX;
  try {
    const main = await compiled.loadCompiledMain();
    expect(main).toBeDefined();
    expect(typeof main?.main).toBe('function');
  } finally {
    if (previous !== undefined) process.env.NEEDLECARE_TSX = previous;
  }
}, 60_000);
