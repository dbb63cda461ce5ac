import { describe, expect, it } from 'vitest';
import { IllegalArgumentError } from '../../src/errors.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import type { MeteredWindowStore } from '../../src/state/internals/MeteredWindowStore.js';
import type { Windowed } from '../../src/windowing/Window.js';
import { Stores } from '../../src/state/Stores.js';
import { storeContext } from './storeHarness.js';

/** Kafka's window changelog key: [key][windowStart int64 BE][seqnum int32 BE], in hex. */
const windowKeyHex = (key: string, startHex: string, seqHex: string) => Buffer.from(key).toString('hex') + startHex + seqHex;

function logged(opts: { duplicates?: boolean; caching?: boolean } = {}) {
  const h = storeContext();
  const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 1000, 10, opts.duplicates ?? false), Serdes.String(), Serdes.Integer());
  if (opts.caching) b.withCachingEnabled();
  const store = b.build();
  store.init(h.context, store);
  const log = () => h.rawChangelog.map((c) => [c.store, c.key.toString('hex'), c.value?.toString('hex') ?? null, c.timestamp]);
  return { store, log, ...h };
}

describe('window store change logging', () => {
  it('logs each put with Kafka key bytes, the value and the record timestamp; null puts as tombstones', () => {
    const { store, log, setTimestamp } = logged();
    setTimestamp(7);
    store.put('k', 1, 2 ** 40 + 5);
    setTimestamp(8);
    store.put('k', null, 2 ** 40 + 5);
    const key = windowKeyHex('k', '0000010000000005', '00000000');
    expect(log()).toEqual([
      ['w', key, '00000001', 7],
      ['w', key, null, 8],
    ]);
  });

  it('gives each duplicate its own sequence number, nulls included (as Kafka)', () => {
    const { store, log } = logged({ duplicates: true });
    store.put('k', 1, 0);
    store.put('k', 1, 0);
    store.put('k', null, 0);
    expect(log().map((c) => c[1])).toEqual([
      windowKeyHex('k', '0000000000000000', '00000001'),
      windowKeyHex('k', '0000000000000000', '00000002'),
      windowKeyHex('k', '0000000000000000', '00000003'),
    ]);
  });

  it('logs a put that the store dropped as expired, as Kafka does', () => {
    const h = storeContext();
    const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 10, 10, false), Serdes.String(), Serdes.Integer()).build();
    store.init(h.context, store);
    store.put('a', 1, 100);
    store.put('a', 2, 0);
    expect(store.fetch('a', 0)).toBeNull();
    expect(h.rawChangelog).toHaveLength(2);
  });

  it('timestamped stores log the plain value with the stored timestamp, and keep both', () => {
    const h = storeContext();
    const store = Stores.timestampedWindowStoreBuilder(Stores.inMemoryWindowStore('t', 100, 10, false), Serdes.String(), Serdes.String()).build();
    store.init(h.context, store);
    h.setTimestamp(100);
    store.put('k', { value: 'v', timestamp: 42 }, 5);
    store.put('k', null, 5);
    expect(h.rawChangelog).toEqual([
      { store: 't', key: Buffer.from(windowKeyHex('k', '0000000000000005', '00000000'), 'hex'), value: Buffer.from('v'), timestamp: 42 },
      { store: 't', key: Buffer.from(windowKeyHex('k', '0000000000000005', '00000000'), 'hex'), value: null, timestamp: 100 },
    ]);
    store.put('k', { value: 'w', timestamp: 43 }, 5);
    expect(store.fetch('k', 5)).toEqual({ value: 'w', timestamp: 43 });
    expect([...store.fetch('k', 0, 10)]).toEqual([{ key: 5, value: { value: 'w', timestamp: 43 } }]);
  });

  it('with a cache, logs only what a flush writes down, compacted', () => {
    const { store, log } = logged({ caching: true });
    store.put('k', 1, 0);
    store.put('k', 2, 0);
    expect(log()).toEqual([]);
    store.flush();
    expect(log()).toEqual([['w', windowKeyHex('k', '0000000000000000', '00000000'), '00000002', 0]]);
  });
});

function cached(cacheBytes: number, sendOldValues = false) {
  const h = storeContext(cacheBytes);
  const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('c', 1000, 10, false), Serdes.String(), Serdes.Integer())
    .withCachingEnabled()
    .build() as MeteredWindowStore<string, number>;
  store.init(h.context, store);
  const flushed: [string, number, number | null, number | null, number][] = [];
  const hasCache = store.setFlushListener((k, nv, ov, ctx) => flushed.push([k.toString(), k.window.end, nv, ov, ctx.timestamp]), sendOldValues);
  return { store, flushed, hasCache, ...h };
}

describe('window store caching', () => {
  it('keeps writes until flush, then forwards one update per window in last-write order', () => {
    const { store, flushed, hasCache, setTimestamp } = cached(1 << 20);
    expect(hasCache).toBe(true);
    setTimestamp(1);
    store.put('a', 1, 0);
    setTimestamp(2);
    store.put('b', 1, 0);
    setTimestamp(3);
    store.put('a', 2, 0);
    store.put('a', 5, 10);
    expect(flushed).toEqual([]);
    expect(store.fetch('a', 0)).toBe(2);
    store.flush();
    expect(flushed).toEqual([
      ['[b@0/10]', 10, 1, null, 2],
      ['[a@0/10]', 10, 2, null, 3],
      ['[a@10/20]', 20, 5, null, 3],
    ]);
    store.flush();
    expect(flushed).toHaveLength(3);
  });

  it('sends the value as of the last flush as the old value when asked', () => {
    const { store, flushed } = cached(1 << 20, true);
    store.put('a', 1, 0);
    store.flush();
    store.put('a', 2, 0);
    store.put('a', 3, 0);
    store.put('a', null, 0);
    store.put('a', 4, 0);
    store.flush();
    expect(flushed.map((f) => [f[2], f[3]])).toEqual([
      [1, null],
      [4, 1],
    ]);
  });

  it('forwards the deletion of a stored window, but not of one that was never stored', () => {
    const { store, flushed, rawChangelog } = cached(1 << 20);
    store.put('ghost', 1, 0);
    store.put('ghost', null, 0);
    store.flush();
    expect(flushed).toEqual([]);
    expect(rawChangelog).toEqual([]);
    store.put('a', 1, 0);
    store.flush();
    store.put('a', null, 0);
    store.flush();
    expect(flushed.at(-1)).toEqual(['[a@0/10]', 10, null, null, 0]);
    expect(store.fetch('a', 0)).toBeNull();
  });

  it('reads merge cache over store: the cache wins and cached deletions hide stored windows', () => {
    const { store } = cached(1 << 20);
    store.put('a', 1, 0);
    store.put('b', 2, 0);
    store.put('c', 3, 10);
    store.flush();
    store.put('b', 20, 0);
    store.put('a', null, 0);
    store.put('d', 4, 5);
    const rows = (it: Iterable<{ key: { key: string; window: { start: number } }; value: number }>) =>
      [...it].map((kv) => [kv.key.key, kv.key.window.start, kv.value]);
    expect(rows(store.all())).toEqual([['b', 0, 20], ['d', 5, 4], ['c', 10, 3]]);
    expect(rows(store.backwardFetch('a', 'c', 0, 10))).toEqual([['c', 10, 3], ['b', 0, 20]]);
    expect(store.fetch('a', 0)).toBeNull();
    expect([...store.fetch('b', 0, 0)].map((kv) => kv.value)).toEqual([20]);
  });

  it('with size 0 every write is evicted and forwarded at once', () => {
    const { store, flushed } = cached(0);
    store.put('a', 1, 0);
    expect(flushed).toEqual([['[a@0/10]', 10, 1, null, 0]]);
  });

  it('flushes when closed', () => {
    const { store, flushed } = cached(1 << 20);
    store.put('a', 1, 0);
    store.close();
    expect(flushed).toHaveLength(1);
  });

  it('without a cache the flush listener is refused, so the caller forwards', () => {
    const h = storeContext();
    const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, false), Serdes.String(), Serdes.Integer()).build();
    store.init(h.context, store);
    expect((store as MeteredWindowStore<string, number>).setFlushListener(() => {}, false)).toBe(false);
  });
});

describe('window store factories and builders', () => {
  it('validates retention and window size as Kafka does', () => {
    expect(() => Stores.inMemoryWindowStore('w', 5, 10, false)).toThrow(IllegalArgumentError);
    expect(() => Stores.inMemoryWindowStore('w', 5, 10, false)).toThrow(
      'The retention period of the window store w must be no smaller than its window size. Got size=[10ms], retention=[5ms]',
    );
    expect(() => Stores.inMemoryWindowStore('w', -1, 0, false)).toThrow('retentionPeriod cannot be negative');
    expect(() => Stores.inMemoryWindowStore('w', 10, -1, false)).toThrow('windowSize cannot be negative');
    expect(() => Stores.inMemoryWindowStore('w', 1.5, 1, false)).toThrow(/retentionPeriod must be a whole number of milliseconds/);
    expect(() => Stores.inMemoryWindowStore('w', Number.NaN, 1, false)).toThrow(IllegalArgumentError);
    expect(() => Stores.inMemoryWindowStore(null as never, 10, 1, false)).toThrow(IllegalArgumentError);
    expect(() => Stores.windowStoreBuilder(null as never, null, null)).toThrow(IllegalArgumentError);
    expect(Stores.inMemoryWindowStore('w', 10, 10, false).windowSize).toBe(10);
  });

  it('builders describe the store they build', () => {
    const supplier = Stores.inMemoryWindowStore('w', 100, 10, false);
    const plain = Stores.windowStoreBuilder(supplier, Serdes.String(), Serdes.Integer());
    const timestamped = Stores.timestampedWindowStoreBuilder(supplier, Serdes.String(), Serdes.Integer());
    expect([plain.kind, timestamped.kind]).toEqual(['window', 'timestampedWindow']);
    expect([plain.name, plain.persistent, plain.retentionPeriod, plain.windowSize]).toEqual(['w', false, 100, 10]);
    expect([plain.cachingEnabled, plain.loggingEnabled]).toEqual([false, true]);
    const store = plain.withCachingEnabled().withLoggingEnabled({ 'retention.ms': '5' }).build();
    expect(plain.logConfig()).toEqual({ 'retention.ms': '5' });
    expect([store.name, store.retentionPeriod, store.windowSize, store.persistent]).toEqual(['w', 100, 10, false]);
    const h = storeContext();
    store.init(h.context, store);
    expect(h.registered).toEqual([store]);
  });

  it('never caches a store that retains duplicates, and deletes its changelog by time', () => {
    const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('j', 100, 10, true), Serdes.String(), Serdes.Integer());
    b.withCachingEnabled();
    expect(b.cachingEnabled).toBe(false);
    expect(b.logConfig()).toEqual({ 'cleanup.policy': 'delete' });
    const store = b.build() as MeteredWindowStore<string, number>;
    const h = storeContext();
    store.init(h.context, store);
    expect(store.setFlushListener(() => {}, false)).toBe(false);
  });

  it('builds a fresh store each time', () => {
    const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, false), Serdes.String(), Serdes.Integer()).withLoggingDisabled();
    const s1 = b.build();
    const s2 = b.build();
    const h = storeContext();
    s1.init(h.context, s1);
    s2.init(h.context, s2);
    s1.put('a', 1, 0);
    expect(s2.fetch('a', 0)).toBeNull();
  });
});

describe('window store stacks agree', () => {
  it('a small evicting cache reads like the plain store, plus expired windows it still holds', () => {
    const make = (caching: boolean) => {
      const h = storeContext(1500);
      const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('d', 300, 50, false), Serdes.String(), Serdes.Integer());
      if (caching) b.withCachingEnabled();
      const store = b.build();
      store.init(h.context, store);
      return store;
    };
    const plain = make(false);
    const cachedStore = make(true);
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // as in Kafka, windows past retention stay readable while cached (the plain store hides
    // them): the cached stack must read exactly as the plain one within retention, and may add
    // only expired windows
    let maxStart = -1;
    const live = () => maxStart - 300 + 1;
    const startOf = (k: unknown) => (typeof k === 'number' ? k : (k as Windowed<string>).window.start);
    const rows = (it: Iterable<{ key: unknown; value: number }>) => [...it].map((kv) => [String(kv.key), kv.value, startOf(kv.key)] as const);
    const check = (cached: readonly (readonly [string, number, number])[], expected: readonly (readonly [string, number, number])[]) => {
      expect(cached.filter((r) => r[2] >= live())).toEqual(expected);
      for (const r of cached) if (r[2] < live()) expect(r[2]).toBeLessThan(live());
      return cached.length - expected.length;
    };
    let extra = 0;
    for (let i = 0; i < 3000; i++) {
      const key = `k${rand(12)}`;
      const start = Math.floor(i / 5) * 10 - rand(3) * 10;
      const value = rand(4) === 0 ? null : i;
      plain.put(key, value, start);
      cachedStore.put(key, value, start);
      maxStart = Math.max(maxStart, start);
      if (i % 7 === 0) {
        const probe = `k${rand(12)}`;
        extra += check(rows(cachedStore.fetch(probe, start - 400, start)), rows(plain.fetch(probe, start - 400, start)));
        if (start >= live()) expect(cachedStore.fetch(probe, start)).toEqual(plain.fetch(probe, start));
      }
      if (i % 97 === 0) extra += check(rows(cachedStore.backwardAll()), rows(plain.backwardAll()));
    }
    // the workload does read expired windows from the cache
    expect(extra).toBeGreaterThan(0);
  });
});

describe('the per-key index of a caching window store', () => {
  it('stays bounded by the cache when evicted keys are never read again', () => {
    const h = storeContext(3000);
    const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('i', 100_000, 10, false), Serdes.String(), Serdes.Integer())
      .withCachingEnabled()
      .build();
    store.init(h.context, store);
    for (let i = 0; i < 2000; i++) store.put(`key-${i}`, i, i);
    const caching = (store as unknown as { inner: { index: { size: number }; cache: { size: number } } }).inner;
    expect(caching.cache.size).toBeGreaterThan(0);
    expect(caching.index.size).toBeLessThanOrEqual(2 * caching.cache.size + 64);
    // every key still reads right, from the cache or from the store below
    for (const i of [0, 999, 1999]) expect([...store.fetch(`key-${i}`, 0, 5000)].map((kv) => kv.value)).toEqual([i]);
  });
});
