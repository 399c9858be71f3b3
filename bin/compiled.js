// The `needlecare` command runs its TypeScript sources compiled into one ES module bundle
// (with a chunk per command), made on demand with esbuild and cached under
// node_modules/.cache/needlecare/, keyed by every source file's size and modification time.
// Loading through tsx's loader hooks cost ~2.5 s of CPU per start (every module of Kysely and
// Fastify went through them); the bundle loads in a fraction of that (docs/decisions/1021).
// Any failure (no esbuild, read-only node_modules) falls back to tsx: slower, never broken.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bump when the build below changes, so old bundles are not reused. */
const BUILD_VERSION = '2';
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SRC = join(ROOT, 'src');
const CACHE = join(ROOT, 'node_modules', '.cache', 'needlecare');

/**
 * Packages left to Node's loader: native modules (SQLite, argon2, pg's optional native client),
 * those that read files beside themselves (Swagger and its UI), logging (pino may start worker
 * threads by file name) and tsx.
 */
const EXTERNAL = [
  'better-sqlite3',
  'better-sqlite3-node22',
  '@node-rs/argon2',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'pg-native',
  'pino',
  'thread-stream',
  'tsx',
];

/** A key of the sources the bundle is made of: any edit, added or removed file changes it. */
function sourcesKey() {
  const hash = createHash('sha256');
  hash.update(`${BUILD_VERSION}\0${process.version}\0`);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.test\.ts$/.test(entry.name)) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\0`);
      }
    }
  };
  walk(SRC);
  for (const file of ['package.json', 'package-lock.json', 'bin/compiled.js']) {
    const path = join(ROOT, file);
    if (existsSync(path)) hash.update(`${file}\0${statSync(path).mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Build the bundle into `dir` (via a temporary folder renamed into place: races are harmless). */
async function build(dir) {
  // esbuild comes with tsx (a dependency); resolve it from there.
  const require = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = require('esbuild');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(SRC, 'cli', 'main.ts')],
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    // The packages are bundled too (start-up: no module resolution and file reads for each of
    // their ~1,000 files; decision 1021 addendum), except those that load native code or read
    // files beside themselves.
    external: EXTERNAL,
    sourcemap: 'linked',
    // Bundled CommonJS packages call `require` (for Node's built-ins among others); an ES module
    // has none, so give each chunk one.
    banner: {
      js: "import { createRequire as __needlecareRequire } from 'node:module'; const require = __needlecareRequire(import.meta.url);",
    },
    logLevel: 'silent',
    outExtension: { '.js': '.mjs' },
    plugins: [
      {
        // Modules that read files beside themselves (CSS, word lists) keep their own URL.
        name: 'own-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            return {
              contents: text.includes('import.meta.url')
                ? text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
                : text,
              loader: 'ts',
            };
          });
        },
      },
    ],
  });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process put it there first
  }
  // Older bundles of earlier sources.
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (path !== dir && !name.includes('.tmp-')) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The compiled `src/cli/main.ts` module, or undefined when it cannot be had (then run the
 * sources through tsx). NEEDLECARE_TSX=1 forces tsx.
 */
export async function loadCompiledMain() {
  if (process.env.NEEDLECARE_TSX === '1') return undefined;
  try {
    const dir = join(CACHE, sourcesKey());
    const entry = join(dir, 'main.mjs');
    if (!existsSync(entry)) {
      mkdirSync(CACHE, { recursive: true });
      await build(dir);
    }
    return await import(pathToFileURL(entry).href);
  } catch {
    return undefined;
  }
}
