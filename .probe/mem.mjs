import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [db, label, seconds = '60'] = process.argv.slice(2);
const keys = {}; for (const l of process.env.KEYS.split(' ')) { const i = l.indexOf('='); keys[l.slice(0, i)] = l.slice(i + 1); }
const extra = label.includes('arena2') ? { MALLOC_ARENA_MAX: '2' } : {};
const child = spawn(process.execPath, ['bin/needlecare.js', 'serve', '--processes', '1', ...(label.includes('worker') ? ['--worker'] : [])], {
  env: { ...process.env, ...keys, ...extra, NEEDLECARE_DB: db, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', COOKIE_SECURE: 'false', WORKER_POLL_MS: '100' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((res) => child.stdout.on('data', (d) => { if (/listening on/.test(String(d))) res(); }));
const rss = () => { const s = readFileSync(`/proc/${child.pid}/status`, 'utf8'); const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]); return [kb('VmRSS') / 1024, kb('RssAnon') / 1024]; };
const out = [];
for (let t = 0; t <= Number(seconds); t += 10) { const [r, a] = rss(); out.push(`${t}s ${r.toFixed(0)}/${a.toFixed(0)}`); await new Promise((r) => setTimeout(r, 10_000)); }
console.log(`${label}: RSS/anon MB: ${out.join('  ')}`);
child.kill('SIGTERM');
