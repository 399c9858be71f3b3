#!/usr/bin/env node
// Entry point of the `needlecare` command. The source is TypeScript run through tsx,
// so there is no build step between a change and the command (docs/decisions/0002).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
