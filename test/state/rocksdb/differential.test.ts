import { afterEach, describe, expect, it } from 'vitest';
import { TaskId } from '../../../src/runtime/TaskId.js';
import { Serdes } from '../../../src/serdes/Serdes.js';
import { InMemoryKeyValueStore } from '../../../src/state/internals/InMemoryKeyValueStore.js';
import { InMemorySessionStore } from '../../../src/state/internals/InMemorySessionStore.js';
import { InMemoryWindowStore } from '../../../src/state/internals/InMemoryWindowStore.js';
import type { SessionEntry } from '../../../src/state/internals/SessionBytesStore.js';
import type { WindowEntry } from '../../../src/state/internals/WindowBytesStore.js';
import type { KeyValueIterator } from '../../../src/state/KeyValueStore.js';
import { RocksDBKeyValueStore } from '../../../src/state/rocksdb/RocksDBKeyValueStore.js';
import { RocksDBSessionStore } from '../../../src/state/rocksdb/RocksDBSessionStore.js';
import type { RocksDBStoreBase } from '../../../src/state/rocksdb/RocksDBStoreBase.js';
import { RocksDBWindowStore } from '../../../src/state/rocksdb/RocksDBWindowStore.js';
import { StateDirectory } from '../../../src/state/rocksdb/TaskStateDirectory.js';
import { contextFor, tempStateDir } from './helpers.js';

/**
 * Random operations against an in-memory store and a RocksDB store side by
 * side, with commits and reopenings (commit, close, open again) in between:
 * every read must agree. The keys include prefixes of each other, empty keys
 * and 0x00/0xff bytes, which is where key layouts without length prefixes go
 * wrong.
 */

const KEYS = ['', 'a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab', 'abc', 'b', 'b\u00ff', '\u00ff', '\u00ff\u00ff'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function taskDir(): string {
  const t = tempStateDir();
  cleanups.push(t.cleanup);
  return new StateDirectory({ stateDir: t.root, applicationId: 'app' }).taskDirectory(new TaskId(0, 0));
}

/** Opens a RocksDB store in `dir` now and again after each reopen(). */
function persistent<S extends RocksDBStoreBase>(dir: string, make: () => S): { get(): S; reopen(): void } {
  let store = make();
  store.init(contextFor(dir), store);
  cleanups.push(() => store.close());
  return {
    get: () => store,
    reopen() {
      store.commit(null);
      store.close();
      store = make();
      store.init(contextFor(dir), store);
    },
  };
}

const buf = (s: string) => Buffer.from(s, 'latin1');
const kvs = (it: KeyValueIterator<Buffer, Buffer>) => [...it].map((kv) => `${kv.key.toString('latin1')}=${kv.value.toString('latin1')}`);
const wins = (es: WindowEntry[]) => es.map((e) => `${e.key.toString('latin1')}@${e.windowStart}=${e.value.toString('latin1')}`);
const sess = (es: SessionEntry[]) => es.map((e) => `${e.key.toString('latin1')}@${e.start}/${e.end}=${e.value.toString('latin1')}`);

describe('RocksDB stores agree with the in-memory stores', () => {
  it.each([1, 2, 3])('key-value store, seed %i', (seed) => {
    const r = rng(seed);
    const pick = () => KEYS[Math.floor(r() * KEYS.length)] as string;
    const bound = () => (r() < 0.2 ? null : buf(pick()));
    const mem = new InMemoryKeyValueStore('s');
    mem.init(contextFor(undefined), mem);
    const rocks = persistent(taskDir(), () => new RocksDBKeyValueStore('s'));
    for (let step = 0; step < 1500; step++) {
      const x = r();
      const s = rocks.get();
      if (x < 0.35) {
        const k = buf(pick());
        const v = r() < 0.2 ? null : buf(`v${step}`);
        mem.put(k, v);
        s.put(k, v);
      } else if (x < 0.45) {
        const k = buf(pick());
        expect(s.delete(k)?.toString('latin1')).toBe(mem.delete(k)?.toString('latin1'));
      } else if (x < 0.55) {
        const k = buf(pick());
        expect(s.get(k)?.toString('latin1')).toBe(mem.get(k)?.toString('latin1'));
      } else if (x < 0.75) {
        const [from, to] = [bound(), bound()];
        const reverse = r() < 0.5;
        expect(kvs(reverse ? s.reverseRange(from, to) : s.range(from, to))).toEqual(kvs(reverse ? mem.reverseRange(from, to) : mem.range(from, to)));
      } else if (x < 0.85) {
        const p = pick().slice(0, 1 + Math.floor(r() * 2));
        expect(kvs(s.prefixScan(p, Serdes.String().serializer()))).toEqual(kvs(mem.prefixScan(p, Serdes.String().serializer())));
      } else if (x < 0.95) {
        s.commit(step);
      } else {
        rocks.reopen();
      }
    }
    expect(kvs(rocks.get().all())).toEqual(kvs(mem.all()));
  });

  it.each([
    [1, false],
    [2, false],
    [3, true],
    [4, true],
  ])('window store, seed %i, retain duplicates %s', (seed, duplicates) => {
    const r = rng(seed);
    const retention = 200_000; // segments of 100 s
    const pick = () => KEYS[Math.floor(r() * KEYS.length)] as string;
    const time = () => Math.floor(r() * 60) * 10_000 + (r() < 0.3 ? Math.floor(r() * 3) : 0);
    const bound = () => (r() < 0.2 ? null : buf(pick()));
    const mem = new InMemoryWindowStore('w', retention, 1000, duplicates);
    mem.init(contextFor(undefined), mem);
    const rocks = persistent(taskDir(), () => new RocksDBWindowStore('w', retention, 1000, duplicates));
    let now = 0;
    for (let step = 0; step < 1500; step++) {
      const x = r();
      const s = rocks.get();
      if (x < 0.4) {
        // mostly forward in time, sometimes late
        now = Math.max(now, time());
        const t = r() < 0.7 ? now : time();
        const k = buf(pick());
        const v = r() < 0.15 ? null : buf(`v${step}`);
        mem.put(k, v, t);
        s.put(k, v, t);
        expect(s.observedStreamTime).toBe(mem.observedStreamTime);
      } else if (x < 0.5) {
        const k = buf(pick());
        const t = time();
        expect(s.fetch(k, t)?.toString('latin1')).toBe(mem.fetch(k, t)?.toString('latin1'));
      } else if (x < 0.7) {
        const k = buf(pick());
        const [tf, tt] = [time(), time() + 50_000];
        const backward = r() < 0.5;
        expect(wins(s.fetchRange(k, k, tf, tt, backward))).toEqual(wins(mem.fetchRange(k, k, tf, tt, backward)));
      } else if (x < 0.8) {
        const [kf, kt] = [bound(), bound()];
        const [tf, tt] = [time(), time() + 200_000];
        const backward = r() < 0.5;
        expect(wins(s.fetchRange(kf, kt, tf, tt, backward))).toEqual(wins(mem.fetchRange(kf, kt, tf, tt, backward)));
      } else if (x < 0.87) {
        const backward = r() < 0.5;
        expect(wins(s.all(backward))).toEqual(wins(mem.all(backward)));
        expect(wins(s.fetchAll(100_000, 300_000, backward))).toEqual(wins(mem.fetchAll(100_000, 300_000, backward)));
      } else if (x < 0.96) {
        s.commit(step);
      } else {
        rocks.reopen();
      }
    }
    expect(wins(rocks.get().all(false))).toEqual(wins(mem.all(false)));
  });

  it.each([1, 2, 3])('session store, seed %i', (seed) => {
    const r = rng(seed);
    const retention = 200_000;
    const pick = () => KEYS[Math.floor(r() * KEYS.length)] as string;
    const time = () => Math.floor(r() * 60) * 10_000 + Math.floor(r() * 3);
    const bound = () => (r() < 0.2 ? null : buf(pick()));
    const mem = new InMemorySessionStore('s', retention);
    mem.init(contextFor(undefined), mem);
    const rocks = persistent(taskDir(), () => new RocksDBSessionStore('s', retention));
    let now = 0;
    for (let step = 0; step < 1500; step++) {
      const x = r();
      const s = rocks.get();
      if (x < 0.4) {
        now = Math.max(now, time());
        const end = r() < 0.7 ? now : time();
        const start = end - Math.floor(r() * 3) * 10_000;
        const k = buf(pick());
        const v = r() < 0.1 ? null : buf(`v${step}`);
        mem.put(k, start, end, v);
        s.put(k, start, end, v);
        expect(s.observedStreamTime).toBe(mem.observedStreamTime);
      } else if (x < 0.45) {
        const k = buf(pick());
        const end = time();
        const start = end - Math.floor(r() * 3) * 10_000;
        mem.remove(k, start, end);
        s.remove(k, start, end);
      } else if (x < 0.55) {
        const k = buf(pick());
        const end = time();
        const start = end - Math.floor(r() * 3) * 10_000;
        expect(s.fetchSession(k, start, end)?.toString('latin1')).toBe(mem.fetchSession(k, start, end)?.toString('latin1'));
      } else if (x < 0.72) {
        const k = buf(pick());
        const [earliestEnd, latestStart] = [time(), time()];
        const backward = r() < 0.5;
        expect(sess(s.findSessions(k, k, earliestEnd, latestStart, backward))).toEqual(sess(mem.findSessions(k, k, earliestEnd, latestStart, backward)));
      } else if (x < 0.87) {
        const [kf, kt] = [bound(), bound()];
        const [earliestEnd, latestStart] = r() < 0.3 ? [0, Number.MAX_SAFE_INTEGER] : [time(), time()];
        const backward = r() < 0.5;
        expect(sess(s.findSessions(kf, kt, earliestEnd, latestStart, backward))).toEqual(sess(mem.findSessions(kf, kt, earliestEnd, latestStart, backward)));
      } else if (x < 0.96) {
        s.commit(step);
      } else {
        rocks.reopen();
      }
    }
    expect(sess(rocks.get().findSessions(null, null, 0, Number.MAX_SAFE_INTEGER, false))).toEqual(
      sess(mem.findSessions(null, null, 0, Number.MAX_SAFE_INTEGER, false)),
    );
  });
});
