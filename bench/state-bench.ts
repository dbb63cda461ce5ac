/**
 * RocksDB key-value store throughput, through the store's own API:
 *  (restore) 1,000,000 changelog-like records (16-byte keys drawn at random
 *    from 1,000,000, so some repeat; 100-byte values) written as a restore
 *    does: put() each record of a batch of 10,000, then commit(lastOffset),
 *    one atomic WriteBatch with the offset, per batch;
 *  (get) after closing and reopening the store, 1,000,000 synchronous get()s
 *    of random written keys; (getMany) the same keys, 1,000 per multi-get.
 * Prints records/s per run and the median of the runs.
 * Usage: npx tsx bench/state-bench.ts [--records N] [--batch B] [--runs R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TaskId } from '../src/runtime/TaskId.js';
import { RocksDBKeyValueStore } from '../src/state/rocksdb/RocksDBKeyValueStore.js';
import type { StoreContext } from '../src/state/StateStore.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const RECORDS = Number(arg('records', '1000000'));
const BATCH = Number(arg('batch', '10000'));
const RUNS = Number(arg('runs', '3'));
const GET_BATCH = 1000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- data, made once ----
const rnd = mulberry32(42);
const keys: Buffer[] = new Array(RECORDS);
const values: Buffer[] = new Array(RECORDS);
for (let i = 0; i < RECORDS; i++) {
  keys[i] = Buffer.from(`key-${String(Math.floor(rnd() * RECORDS)).padStart(12, '0')}`); // 16 bytes
  const v = Buffer.allocUnsafe(100);
  for (let j = 0; j < 100; j++) v[j] = 32 + Math.floor(rnd() * 95);
  values[i] = v;
}
const readKeys = Array.from({ length: RECORDS }, () => keys[Math.floor(rnd() * RECORDS)] as Buffer);

/** What a task passes to its stores: here only the state directory matters. */
function context(stateDir: string): StoreContext {
  return { applicationId: 'bench', taskId: new TaskId(0, 0), stateDir, register: () => {} } as unknown as StoreContext;
}

function open(stateDir: string): RocksDBKeyValueStore {
  const store = new RocksDBKeyValueStore('s');
  store.init(context(stateDir), store);
  return store;
}

interface Run {
  restore: number;
  maxCommitMs: number;
  get: number;
  getMany: number;
}

function oneRun(): Run {
  const root = mkdtempSync(join(tmpdir(), 'kstreams-state-bench-'));
  const stateDir = join(root, 'bench', '0_0');
  try {
    let store = open(stateDir);
    let maxCommitMs = 0;
    const t0 = performance.now();
    for (let i = 0; i < RECORDS; i += BATCH) {
      const end = Math.min(RECORDS, i + BATCH);
      for (let j = i; j < end; j++) store.put(keys[j] as Buffer, values[j] as Buffer);
      const c0 = performance.now();
      store.commit(end - 1);
      maxCommitMs = Math.max(maxCommitMs, performance.now() - c0);
    }
    const restore = (RECORDS / (performance.now() - t0)) * 1000;

    // reads come from the files, as after a restart
    store.close();
    store = open(stateDir);
    let t = performance.now();
    let found = 0;
    for (let i = 0; i < RECORDS; i++) if (store.get(readKeys[i] as Buffer) !== null) found++;
    const get = (RECORDS / (performance.now() - t)) * 1000;
    if (found !== RECORDS) throw new Error(`get found ${found} of ${RECORDS}`);

    store.close();
    store = open(stateDir);
    t = performance.now();
    found = 0;
    for (let i = 0; i < RECORDS; i += GET_BATCH) {
      for (const v of store.getMany(readKeys.slice(i, i + GET_BATCH))) if (v !== null) found++;
    }
    const getMany = (RECORDS / (performance.now() - t)) * 1000;
    if (found !== RECORDS) throw new Error(`getMany found ${found} of ${RECORDS}`);
    store.close();
    return { restore, maxCommitMs, get, getMany };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const runs: Run[] = [];
for (let r = 0; r < RUNS; r++) {
  const run = oneRun();
  runs.push(run);
  console.log(
    `run ${r + 1}/${RUNS}: restore ${fmt(run.restore)} rec/s (slowest commit ${run.maxCommitMs.toFixed(1)} ms), ` +
      `get ${fmt(run.get)}/s, getMany ${fmt(run.getMany)}/s`,
  );
}
console.log(`\nRocksDBKeyValueStore, ${fmt(RECORDS)} records (16 B keys, 100 B values), median of ${RUNS} runs:`);
console.log(`  restore (put x ${fmt(BATCH)} + commit(offset))  ${fmt(median(runs.map((r) => r.restore))).padStart(10)} rec/s`);
console.log(`  slowest single commit                          ${median(runs.map((r) => r.maxCommitMs)).toFixed(1).padStart(10)} ms`);
console.log(`  get, synchronous, one key at a time            ${fmt(median(runs.map((r) => r.get))).padStart(10)} /s`);
console.log(`  getMany, synchronous, ${GET_BATCH} keys per call         ${fmt(median(runs.map((r) => r.getMany))).padStart(10)} /s`);
