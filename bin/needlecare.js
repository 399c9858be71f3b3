#!/usr/bin/env node
// Entry point of the `needlecare` command. The source is TypeScript with no build step between
// a change and the command (docs/decisions/0002): it runs from a bundle compiled on demand and
// cached (bin/compiled.js, docs/decisions/1021), or through tsx when that cannot be made.
import module from 'node:module';
import { loadCompiledMain } from './compiled.js';

// Node 22.1+: keep V8's compiled code of the bundle between starts (no-op on Node 20).
module.enableCompileCache?.();

let compiled = await loadCompiledMain();
if (compiled === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  compiled = await import('../src/cli/main.ts');
}
process.exitCode = await compiled.main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// The command has finished. Nothing should keep the process alive now; if something does (a
// timer or socket a bug left open), say what and exit anyway rather than hang a shutdown.
setTimeout(() => {
  process.stderr.write(
    `needlecare: still running 5 s after the command finished (${process.getActiveResourcesInfo().join(', ')}); exiting\n`,
  );
  process.exit(process.exitCode ?? 1);
}, 5_000).unref();
