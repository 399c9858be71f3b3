import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [db, procs, tsx] = process.argv.slice(2);
const port = 40000 + Math.floor(Math.random() * 20000);
const t0 = performance.now();
const child = spawn(process.execPath, ['bin/needlecare.js', 'serve', '--processes', procs ?? '1'], {
  env: { ...process.env, NEEDLECARE_DB: db, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...(tsx ? { NEEDLECARE_TSX: '1' } : {}) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
child.on('exit', (c) => { console.log('serve exited', c); process.exit(1); });
for (;;) {
  const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
  if (ok) break;
  await new Promise((r) => setTimeout(r, 10));
}
const wall = performance.now() - t0;
const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
const cpu = (Number(stat[11]) + Number(stat[12])) * 10;
console.log(`${tsx ? 'tsx   ' : 'bundle'} start to /readyz ${wall.toFixed(0)} ms wall, primary process cpu ${cpu} ms`);
child.removeAllListeners('exit'); child.kill('SIGTERM');
