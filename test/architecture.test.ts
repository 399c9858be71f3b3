/**
 * The dependency rules of docs/design.md and docs/decisions/0600-services-layer.md, checked on the
 * import statements of every source file:
 * - doors (api, web, interop, cli) never import another door; web never imports api routes;
 * - jobs are the worker only: they import no door, and no door imports jobs but the CLI
 *   (the composition root wires the worker);
 * - services import no door and no jobs module;
 * - the store and the clinical core import nothing above them; src/i18n (the one message
 *   catalogue module) imports only the core.
 * - the simulation (src/simulation) imports only the clinical core; services and the CLI use it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `src/web/patient/views.ts` → `web`. */
function layerOf(path: string): string {
  return relative(SRC, path).split('/')[0] ?? '';
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1] ?? '')));
}

/** May a file in layer `from` import `target`? */
function allowed(from: string, target: string): boolean {
  const to = layerOf(target);
  if (from === to) return true;
  const rel = relative(SRC, target);
  // The one message catalogue module: pure, imports only the core; anyone above may use it.
  if (to === 'i18n') return !['clinical', 'store', 'config', 'simulation'].includes(from);
  switch (from) {
    case 'clinical':
      return false;
    case 'store':
      return to === 'clinical';
    case 'config':
      return to === 'clinical';
    case 'simulation':
    case 'i18n':
      return to === 'clinical';
    case 'services':
      return ['clinical', 'store', 'config', 'simulation'].includes(to);
    case 'jobs':
      return ['clinical', 'store', 'config', 'services'].includes(to);
    case 'api':
    case 'web':
    case 'interop':
      if (rel.startsWith('api/routes/') && from !== 'api') return false;
      return (
        ['clinical', 'store', 'config', 'services'].includes(to) ||
        // the HTTP plumbing of the API (error handler, auth hook) is shared by the HTTP doors
        (from !== 'api' && to === 'api' && !rel.startsWith('api/routes/'))
      );
    case 'cli':
      return true;
    default:
      return false;
  }
}

/**
 * Imports that break the rules today and are being moved behind services. Each entry must
 * still exist (so the list only shrinks); the list must be empty before issue 9 is closed.
 */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** Store functions whose name says they only read. Doors may call these, and no others. */
const READ_ONLY_NAME = /^(find|list|get|count|load|read|search|is|has|to|from|severity)[A-Z]/;

/** Value imports of write functions of the store from a door (api, web): `file -> name`. */
function storeWritesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.{1,2}\/[^']+)'/g)) {
    if (m[1] !== undefined) continue;
    const target = normalize(join(dirname(file), m[3] ?? ''));
    if (layerOf(target) !== 'store') continue;
    for (const raw of (m[2] ?? '').split(',')) {
      const name = raw.trim();
      if (name === '' || name.startsWith('type ')) continue;
      const local = name.split(' as ')[0]?.trim() ?? '';
      if (/^[A-Z_]+$/.test(local) || /^[A-Z]/.test(local)) continue; // constants and classes
      if (!READ_ONLY_NAME.test(local)) found.push(`${relative(ROOT, file)} -> ${local}`);
    }
  }
  return found;
}

/** Doors that still write through the store directly; must be empty when issue 9 closes. */
const KNOWN_STORE_WRITES: readonly string[] = [];

describe('architecture: doors write only through services', () => {
  const writes = sourceFiles(SRC)
    .filter(
      (file) =>
        ['api', 'web', 'interop'].includes(layerOf(file)) && !file.endsWith('test-support.ts'),
    )
    .flatMap(storeWritesOf);
  if (process.env.PRINT_VIOLATIONS) console.log(JSON.stringify(writes, null, 1));

  it('no door imports a store function that writes', () => {
    expect(writes.filter((w) => !KNOWN_STORE_WRITES.includes(w))).toEqual([]);
  });

  it('the list of known store writes holds only ones that still exist', () => {
    expect(KNOWN_STORE_WRITES.filter((w) => !writes.includes(w))).toEqual([]);
  });
});

describe('architecture: imports point inward only', () => {
  const violations = sourceFiles(SRC).flatMap((file) =>
    importsOf(file)
      .filter((target) => target.startsWith(SRC) && !allowed(layerOf(file), target))
      .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
  );

  if (process.env.PRINT_VIOLATIONS) console.log(JSON.stringify(violations, null, 1));

  it('no file imports across the layers against the rules', () => {
    expect(violations.filter((v) => !KNOWN_VIOLATIONS.includes(v))).toEqual([]);
  });

  it('the list of known violations holds only ones that still exist', () => {
    expect(KNOWN_VIOLATIONS.filter((v) => !violations.includes(v))).toEqual([]);
  });
});
