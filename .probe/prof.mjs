import { spawn } from 'node:child_process';
const port = 40000 + Math.floor(Math.random() * 20000);
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/i14b/prof', 'bin/needlecare.js', 'serve', '--processes', '1'], {
  env: { ...process.env, NEEDLECARE_DB: process.argv[2], PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (;;) {
  const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
  if (ok) break;
  await new Promise((r) => setTimeout(r, 10));
}
child.kill('SIGTERM');
