import { readFileSync, readdirSync } from 'node:fs';
const dir = '/tmp/i14b/prof';
const f = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).map((n) => `${dir}/${n}`)[0];
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; const samples = p.samples;
for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (dt[i] ?? 0));
// attribute by package/file
const byFile = new Map();
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const bucket = (url) => { if (!url) return '(native/gc/program)'; const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url); if (m && !url.includes('.cache/needlecare')) return m[1]; if (url.includes('.cache/needlecare')) return 'needlecare bundle'; return url.replace(/^.*\//, ''); };
for (const [id, us] of self) { const n = byId.get(id); const k = bucket(n.callFrame.url) + (n.callFrame.url ? '' : ' ' + n.callFrame.functionName); byFile.set(k, (byFile.get(k) ?? 0) + us); }
const total = [...byFile.values()].reduce((a, b) => a + b, 0);
console.log('total sampled ms', (total / 1000).toFixed(0));
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1000).toFixed(0).padStart(6), k);
