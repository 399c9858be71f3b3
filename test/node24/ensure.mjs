// Run by the root package's `postinstall`: installs Node 24 into test/node24/node_modules for the
// FHIR validation test (docs/decisions/0900). Kept out of the root node_modules so its `node`
// binary never shadows the Node that runs npm scripts and npx. Skipped for production installs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binary = join(here, 'node_modules', 'node', 'bin', 'node');
const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/);

if (omitted.includes('dev') || process.env.NODE_ENV === 'production') process.exit(0);
if (existsSync(binary)) {
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (version.startsWith('v24.')) process.exit(0);
}
const npm = process.env.npm_execpath;
const [command, args] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
execFileSync(command, [...args, 'ci', '--no-audit', '--no-fund', '--prefix', here], {
  stdio: 'inherit',
});
