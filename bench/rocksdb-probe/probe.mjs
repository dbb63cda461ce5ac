// RocksDB binding probe for kstreams (throwaway measurement, not part of the build).
//
// Usage:  node bench/rocksdb-probe/probe.mjs <package> [--scratch DIR] [--n 200000] [--runs 3] [--json]
//   <package>  rocksdb | rocksdb-native | @nxtedition/rocksdb
//   --scratch  directory holding node_modules/<package> (default /tmp/rdb-<package with / and @ as _>)
//
// Install the package into the scratch dir first (NOT into the repo):
//   mkdir -p /tmp/rdb-rocksdb && cd /tmp/rdb-rocksdb && npm init -y && npm install rocksdb
//
// Each run uses a fresh database directory. Write phases first; then the database is closed and
// reopened before every read phase (reads hit SST files as after a restart, cold block cache).
// Reads use a seeded shuffled key order. Figures are records per second; the table shows the
// median over the runs.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const pkg = args[0];
if (!pkg || pkg.startsWith('--')) {
  console.error('usage: node probe.mjs <package> [--scratch DIR] [--n N] [--runs R] [--json]');
  process.exit(2);
}
function opt(name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}
const N = Number(opt('n', 200_000));
const RUNS = Number(opt('runs', 3));
const BATCH = 1000;
const SYNC_WRITE_BATCHES = 20; // sync:true (fsync per batch) phase, kept small
const scratch = opt('scratch', `/tmp/rdb-${pkg.replace(/[/@]/g, '_')}`);
const asJson = args.includes('--json');
// Block cache: rocksdb-native has no size option and gets RocksDB's default (32 MiB, checked with
// the rocksdb.block-cache-capacity property); the other two default to 8 MiB, so set them to match.
const CACHE_BYTES = Number(opt('cache-mb', 32)) * 1024 * 1024;

const require = createRequire(join(scratch, 'package.json'));
const mod = require(pkg);
const version = JSON.parse(readFileSync(join(scratch, 'node_modules', pkg, 'package.json'), 'utf8')).version;

// ---------- data ----------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(42);
const keys = new Array(N);
const values = new Array(N);
for (let i = 0; i < N; i++) {
  keys[i] = Buffer.from(`key-${String(i * 7919 % 1_000_000_000_000).padStart(12, '0')}`); // 16 bytes
  const v = Buffer.allocUnsafe(100);
  for (let j = 0; j < 100; j++) v[j] = 32 + Math.floor(rnd() * 95);
  values[i] = v;
}
const order = Array.from({ length: N }, (_, i) => i);
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const readKeys = order.map((i) => keys[i]);

// ---------- adapters ----------
// Each adapter: open(dir), close(), writeBatch(ks, vs, {sync}), get(k), getMany(ks), iterateAll()
// and, where the binding has them, getSync(k), getManySync(ks), iterateAllSync(), writeBatchSync().
function levelRocksdb() {
  const factory = mod;
  let db;
  const cb = (fn) => new Promise((res, rej) => fn((err, v) => (err ? rej(err) : res(v))));
  return {
    name: 'rocksdb',
    open: (dir) => {
      db = factory(dir);
      return cb((done) => db.open({ createIfMissing: true, cacheSize: CACHE_BYTES }, done));
    },
    prop: async (name) => db.getProperty(name),
    close: () => cb((done) => db.close(done)),
    writeBatch(ks, vs, { sync = false } = {}) {
      const b = db.batch();
      for (let i = 0; i < ks.length; i++) b.put(ks[i], vs[i]);
      return cb((done) => b.write({ sync }, done));
    },
    get: (k) => cb((done) => db.get(k, done)),
    getMany: (ks) => cb((done) => db.getMany(ks, done)),
    iterateAll() {
      const it = db.iterator({ keyAsBuffer: true, valueAsBuffer: true });
      let count = 0;
      return new Promise((res, rej) => {
        const step = (err, key) => {
          if (err) return rej(err);
          if (key === undefined) return it.end((e) => (e ? rej(e) : res(count)));
          count++;
          it.next(step);
        };
        it.next(step);
      });
    },
  };
}

function rocksdbNative() {
  const RocksDB = mod;
  let db;
  return {
    name: 'rocksdb-native',
    open: async (dir) => {
      db = new RocksDB(dir);
      await db.ready();
    },
    prop: (name) => db.getProperty(name),
    close: () => db.close(),
    async writeBatch(ks, vs) {
      const w = db.write({ capacity: ks.length, autoDestroy: true });
      for (let i = 0; i < ks.length; i++) w.tryPut(ks[i], vs[i]);
      await w.flush();
    },
    get: (k) => db.get(k),
    getMany(ks) {
      const r = db.read({ capacity: ks.length, autoDestroy: true });
      const ps = ks.map((k) => r.get(k));
      r.tryFlush();
      return Promise.all(ps);
    },
    async iterateAll() {
      let count = 0;
      for await (const _e of db.iterator({}, { capacity: BATCH })) count++;
      return count;
    },
  };
}

function nxtRocksdb() {
  const { RocksLevel } = mod;
  let db;
  return {
    name: '@nxtedition/rocksdb',
    open: async (dir) => {
      db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db.open({ cacheSize: CACHE_BYTES });
    },
    prop: async (name) => db.getProperty(name),
    close: () => db.close(),
    async writeBatch(ks, vs, { sync = false } = {}) {
      const b = db.batch();
      for (let i = 0; i < ks.length; i++) b.put(ks[i], vs[i]);
      await b.write({ sync });
    },
    // Synchronous path (underscore methods: not part of abstract-level's public surface).
    writeBatchSync(ks, vs, { sync = false } = {}) {
      const b = db.batch();
      for (let i = 0; i < ks.length; i++) b.put(ks[i], vs[i]);
      b._writeSync({ sync });
      b._closeSync();
    },
    get: (k) => db.get(k),
    getMany: (ks) => db.getMany(ks),
    getSync: (k) => db._getManySync([k])[0],
    getManySync: (ks) => db._getManySync(ks),
    async iterateAll() {
      const it = db.iterator();
      let count = 0;
      for (;;) {
        const entries = await it.nextv(BATCH);
        if (entries.length === 0) break;
        count += entries.length;
      }
      await it.close();
      return count;
    },
    iterateAllSync() {
      const it = db.iterator();
      let count = 0;
      for (;;) {
        const { rows, finished } = it._nextvSync(BATCH);
        count += rows.length / 2;
        if (finished) break;
      }
      it._closeSync();
      return count;
    },
  };
}

const adapters = { rocksdb: levelRocksdb, 'rocksdb-native': rocksdbNative, '@nxtedition/rocksdb': nxtRocksdb };
if (!adapters[pkg]) {
  console.error(`unknown package ${pkg}; expected one of ${Object.keys(adapters).join(', ')}`);
  process.exit(2);
}

// ---------- phases ----------
function check(v, i, phase) {
  if (v?.length !== 100 || !values[order[i]].equals(v)) {
    throw new Error(`${phase}: wrong value for read #${i}`);
  }
}

// Wait until RocksDB has no flush/compaction pending or running, so background work started by
// the previous phase (or by the flush-on-reopen) does not compete with the measured phase.
async function settle(a) {
  const deadline = performance.now() + 30_000;
  const busy = async () =>
    Number(await a.prop('rocksdb.compaction-pending')) +
    Number(await a.prop('rocksdb.num-running-compactions')) +
    Number(await a.prop('rocksdb.num-running-flushes'));
  while ((await busy()) > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function timed(fn) {
  const t0 = performance.now();
  const extra = await fn();
  return { ms: performance.now() - t0, extra };
}

async function oneRun(run) {
  const a = adapters[pkg]();
  const dir = mkdtempSync(join(tmpdir(), `rdb-probe-${pkg.replace(/[/@]/g, '_')}-${run}-`));
  const r = {};
  const blockMax = {};
  try {
    await a.open(join(dir, 'db'));

    // 1. batched puts (async API), batches of BATCH, one batch in flight at a time
    let t = await timed(async () => {
      for (let i = 0; i < N; i += BATCH) await a.writeBatch(keys.slice(i, i + BATCH), values.slice(i, i + BATCH));
    });
    r.putBatched = (N / t.ms) * 1000;

    // 1b. fsync'ed batches (sync: true) where the binding exposes it
    if (pkg !== 'rocksdb-native') {
      t = await timed(async () => {
        for (let b = 0; b < SYNC_WRITE_BATCHES; b++) {
          const i = b * BATCH;
          await a.writeBatch(keys.slice(i, i + BATCH), values.slice(i, i + BATCH), { sync: true });
        }
      });
      r.putBatchedFsync = ((SYNC_WRITE_BATCHES * BATCH) / t.ms) * 1000;
    }

    // 1c. synchronous batch write (rewrites the same keys; same data)
    if (a.writeBatchSync) {
      let max = 0;
      t = await timed(() => {
        for (let i = 0; i < N; i += BATCH) {
          const t0 = performance.now();
          a.writeBatchSync(keys.slice(i, i + BATCH), values.slice(i, i + BATCH));
          max = Math.max(max, performance.now() - t0);
        }
      });
      r.putBatchedSync = (N / t.ms) * 1000;
      blockMax.putBatchedSync = max;
    }

    // Reopen before each read phase: reads then come from SST files (as after a restart) and
    // every phase starts with a cold block cache, so phase order does not favour later phases.
    const reopen = async () => {
      await a.close();
      await a.open(join(dir, 'db'));
      await settle(a);
    };
    await reopen();

    // 2. one awaited get at a time
    t = await timed(async () => {
      for (let i = 0; i < N; i++) check(await a.get(readKeys[i]), i, 'get');
    });
    r.getAwaited = (N / t.ms) * 1000;

    await reopen();
    // 3. multi-get, batches of BATCH
    t = await timed(async () => {
      for (let i = 0; i < N; i += BATCH) {
        const vs = await a.getMany(readKeys.slice(i, i + BATCH));
        for (let j = 0; j < vs.length; j++) check(vs[j], i + j, 'getMany');
      }
    });
    r.getMany = (N / t.ms) * 1000;

    await reopen();
    // 4. full iteration
    t = await timed(() => a.iterateAll());
    if (t.extra !== N) throw new Error(`iteration saw ${t.extra} entries, expected ${N}`);
    r.iterate = (N / t.ms) * 1000;

    await reopen();
    // 5. sync variants
    if (a.getSync) {
      let max = 0;
      t = await timed(() => {
        for (let i = 0; i < N; i++) {
          const t0 = performance.now();
          const v = a.getSync(readKeys[i]);
          max = Math.max(max, performance.now() - t0);
          check(v, i, 'getSync');
        }
      });
      r.getSync = (N / t.ms) * 1000;
      blockMax.getSync = max;
      // second pass, no reopen: block cache (32 MiB) now holds the data
      t = await timed(() => {
        for (let i = 0; i < N; i++) check(a.getSync(readKeys[i]), i, 'getSync warm');
      });
      r.getSyncWarm = (N / t.ms) * 1000;
    }
    if (a.getManySync) {
      await reopen();
      let max = 0;
      t = await timed(() => {
        for (let i = 0; i < N; i += BATCH) {
          const t0 = performance.now();
          const vs = a.getManySync(readKeys.slice(i, i + BATCH));
          max = Math.max(max, performance.now() - t0);
          for (let j = 0; j < vs.length; j++) check(vs[j], i + j, 'getManySync');
        }
      });
      r.getManySync = (N / t.ms) * 1000;
      blockMax.getManySync = max;
    }
    if (a.iterateAllSync) {
      await reopen();
      t = await timed(() => a.iterateAllSync());
      if (t.extra !== N) throw new Error(`sync iteration saw ${t.extra} entries, expected ${N}`);
      r.iterateSync = (N / t.ms) * 1000;
    }

    await a.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { r, blockMax };
}

const LABELS = {
  putBatched: `put, batches of ${BATCH} (awaited)`,
  putBatchedFsync: `put, batches of ${BATCH}, sync:true (${SYNC_WRITE_BATCHES} batches)`,
  putBatchedSync: `put, batches of ${BATCH}, synchronous write`,
  getAwaited: 'get, one awaited at a time',
  getMany: `multi-get, batches of ${BATCH} (awaited)`,
  iterate: 'full iteration (async)',
  getSync: 'get, synchronous',
  getSyncWarm: 'get, synchronous, warm block cache (2nd pass)',
  getManySync: `multi-get, batches of ${BATCH}, synchronous`,
  iterateSync: 'full iteration (synchronous)',
};

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const runs = [];
for (let run = 0; run < RUNS; run++) {
  runs.push(await oneRun(run));
  if (!asJson) console.error(`run ${run + 1}/${RUNS} done`);
}

const metrics = Object.keys(LABELS).filter((k) => runs[0].r[k] !== undefined);
const result = { pkg, version, n: N, runs: RUNS, median: {}, perRun: {}, maxSyncCallMs: {} };
for (const k of metrics) {
  result.perRun[k] = runs.map((x) => Math.round(x.r[k]));
  result.median[k] = Math.round(median(runs.map((x) => x.r[k])));
}
for (const k of Object.keys(runs[0].blockMax)) {
  result.maxSyncCallMs[k] = Number(median(runs.map((x) => x.blockMax[k])).toFixed(2));
}

if (asJson) {
  console.log(JSON.stringify(result));
} else {
  console.log(`\n${pkg}@${version}  n=${N} keys (16 B) x 100 B values, block cache ${CACHE_BYTES >> 20} MiB, median of ${RUNS} runs (rec/s)`);
  const w = Math.max(...metrics.map((k) => LABELS[k].length));
  console.log(`${'phase'.padEnd(w)} | ${'median'.padStart(10)} | runs`);
  console.log(`${'-'.repeat(w)}-|-${'-'.repeat(10)}-|-----`);
  for (const k of metrics) {
    console.log(`${LABELS[k].padEnd(w)} | ${result.median[k].toLocaleString('en-US').padStart(10)} | ${result.perRun[k].map((x) => x.toLocaleString('en-US')).join(', ')}`);
  }
  for (const [k, v] of Object.entries(result.maxSyncCallMs)) {
    console.log(`max single ${k} call (event-loop block): ${v} ms (median over runs)`);
  }
}
