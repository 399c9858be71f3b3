import { readFileSync, readdirSync } from 'node:fs';
const dir = '/tmp/i14b/prof';
const f = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).map((n) => `${dir}/${n}`)[0];
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const agg = new Map();
for (const [id, us] of self) {
  const n = byId.get(id); if (!/node_modules\/ajv/.test(n.callFrame.url)) continue;
  // walk up to first non-ajv frame
  let cur = id; while (cur !== undefined && /node_modules\/ajv/.test(byId.get(cur).callFrame.url)) cur = parent.get(cur);
  const chain = []; let c2 = cur; for (let k = 0; k < 4 && c2 !== undefined; k++) { const fr = byId.get(c2).callFrame; chain.push(`${fr.functionName}@${fr.url.replace(/^.*node_modules\//, '').replace(/^.*needlecare\//, '')}:${fr.lineNumber}`); c2 = parent.get(c2); }
  const k = chain.join(' < '); agg.set(k, (agg.get(k) ?? 0) + us);
}
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log((v / 1000).toFixed(0).padStart(6), k);
