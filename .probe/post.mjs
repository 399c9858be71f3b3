import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const { tokens, sqlitePath } = JSON.parse(readFileSync('/tmp/i14b/prep.json', 'utf8'));
const [procs, worker, n = '40', lanes = '8'] = process.argv.slice(2);
const keys = {}; for (const l of process.env.KEYS.split(' ')) { const i = l.indexOf('='); keys[l.slice(0, i)] = l.slice(i + 1); }
const child = spawn(process.execPath, ['bin/needlecare.js', 'serve', '--processes', procs, ...(worker === 'w' ? ['--worker'] : [])], {
  env: { ...process.env, ...keys, NEEDLECARE_DB: sqlitePath, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', COOKIE_SECURE: 'false' }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((res) => child.stdout.on('data', (d) => { const m = /listening on (http:\/\/\S+)/.exec(String(d)); if (m) res(m[1]); }));
const t0 = performance.now(); let sent = 0; const lat = [];
await Promise.all(Array.from({ length: Number(lanes) }, async () => { while (sent < Number(n)) { const i = sent++; const a = performance.now();
  const r = await fetch(`${url}/api/v1/p/${tokens[i % tokens.length]}/check-ins`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `p-${Date.now()}-${i}` }, body: JSON.stringify({ soreness: 3, symptoms: [] }) });
  await r.text(); lat.push(performance.now() - a); if (r.status !== 201) console.log('status', r.status); } }));
lat.sort((a, b) => a - b);
console.log(`procs ${procs} ${worker}: ${n} check-ins in ${((performance.now() - t0) / 1000).toFixed(1)} s, p50 ${lat[lat.length >> 1].toFixed(0)} ms, max ${lat.at(-1).toFixed(0)} ms`);
child.kill('SIGTERM');
