const t=()=>{const c=process.cpuUsage();return (c.user+c.system)/1000};
const a=t();
for (const m of process.argv.slice(2)) { const b=t(); await import(m); console.log(m, (t()-b).toFixed(0),'ms cpu'); }
console.log('total', (t()-a).toFixed(0));
