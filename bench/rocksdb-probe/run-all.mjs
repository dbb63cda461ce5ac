// Runs probe.mjs for the three bindings, interleaved (round r of every package before round r+1,
// one fresh process per round) so machine noise spreads evenly, and prints one table of medians.
// Usage: node bench/rocksdb-probe/run-all.mjs [--rounds 3] [--n 200000]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const rounds = Number(opt('rounds', 3));
const n = opt('n', '200000');
const probe = join(dirname(fileURLToPath(import.meta.url)), 'probe.mjs');
const pkgs = ['rocksdb', 'rocksdb-native', '@nxtedition/rocksdb'];

const results = Object.fromEntries(pkgs.map((p) => [p, []]));
for (let r = 0; r < rounds; r++) {
  for (const p of pkgs) {
    const out = execFileSync(process.execPath, [probe, p, '--runs', '1', '--n', n, '--json'], { encoding: 'utf8' });
    results[p].push(JSON.parse(out.trim().split('\n').pop()));
    console.error(`round ${r + 1}/${rounds} ${p} done`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const labels = {
  putBatched: 'put, batches of 1000 (awaited)',
  putBatchedFsync: 'put, batches of 1000, sync:true',
  putBatchedSync: 'put, batches of 1000, synchronous call',
  getAwaited: 'get, one awaited at a time',
  getMany: 'multi-get, batches of 1000 (awaited)',
  iterate: 'full iteration (async)',
  getSync: 'get, synchronous (cold cache)',
  getSyncWarm: 'get, synchronous (warm cache)',
  getManySync: 'multi-get 1000, synchronous',
  iterateSync: 'full iteration (synchronous)',
};
const cell = (p, k) => {
  const xs = results[p].map((x) => x.median[k]).filter((x) => x !== undefined);
  if (xs.length === 0) return 'n/a';
  return `${Math.round(median(xs)).toLocaleString('en-US')} (${Math.round(Math.min(...xs) / 1000)}k-${Math.round(Math.max(...xs) / 1000)}k)`;
};
const head = pkgs.map((p) => `${p}@${results[p][0].version}`);
console.log(`n=${n}, ${rounds} interleaved rounds, rec/s median (min-max)`);
console.log(`| phase | ${head.join(' | ')} |`);
console.log(`|---|${pkgs.map(() => '---:').join('|')}|`);
for (const [k, label] of Object.entries(labels)) {
  console.log(`| ${label} | ${pkgs.map((p) => cell(p, k)).join(' | ')} |`);
}
for (const p of pkgs) {
  const ks = Object.keys(results[p][0].maxSyncCallMs);
  if (ks.length === 0) continue;
  const parts = ks.map((k) => `${k} ${median(results[p].map((x) => x.maxSyncCallMs[k])).toFixed(1)} ms`);
  console.log(`max single synchronous call (${p}): ${parts.join(', ')}`);
}
