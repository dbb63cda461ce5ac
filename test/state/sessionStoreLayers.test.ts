import { describe, expect, it } from 'vitest';
import { IllegalArgumentError } from '../../src/errors.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import type { MeteredSessionStore } from '../../src/state/internals/MeteredSessionStore.js';
import { Stores } from '../../src/state/Stores.js';
import { Window, Windowed } from '../../src/windowing/Window.js';
import { WindowedSerdes } from '../../src/windowing/WindowedSerdes.js';
import { storeContext } from './storeHarness.js';

const session = (key: string, start: number, end: number) => new Windowed(key, new Window(start, end));

/** Kafka's session changelog key: [key][end int64 BE][start int64 BE], in hex. */
const sessionKeyHex = (key: string, endHex: string, startHex: string) => Buffer.from(key).toString('hex') + endHex + startHex;

function open(opts: { caching?: boolean; cacheBytes?: number; sendOldValues?: boolean } = {}) {
  const h = storeContext(opts.cacheBytes);
  const b = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1000), Serdes.String(), Serdes.Integer());
  if (opts.caching) b.withCachingEnabled();
  const store = b.build() as MeteredSessionStore<string, number>;
  store.init(h.context, store);
  const flushed: [string, number | null, number | null, number][] = [];
  const hasCache = store.setFlushListener((k, nv, ov, ctx) => flushed.push([k.toString(), nv, ov, ctx.timestamp]), opts.sendOldValues ?? false);
  const log = () => h.rawChangelog.map((c) => [c.store, c.key.toString('hex'), c.value?.toString('hex') ?? null, c.timestamp]);
  return { store, flushed, hasCache, log, ...h };
}

describe('session store change logging', () => {
  it('logs puts and removals with Kafka key bytes [key][end][start] and the record timestamp', () => {
    const { store, log, setTimestamp } = open();
    setTimestamp(7);
    store.put(session('k', 3, 2 ** 40), 1);
    setTimestamp(8);
    store.remove(session('k', 3, 2 ** 40));
    setTimestamp(9);
    store.put(session('k', 3, 2 ** 40), null);
    const key = sessionKeyHex('k', '0000010000000000', '0000000000000003');
    expect(log()).toEqual([
      ['s', key, '00000001', 7],
      ['s', key, null, 8],
      ['s', key, null, 9],
    ]);
  });

  it('uses the layout of the session-windowed serde', () => {
    const { store, rawChangelog } = open();
    store.put(session('k', 3, 9), 1);
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
    expect(rawChangelog[0]?.key).toEqual(serde.serializer().serialize('t', session('k', 3, 9)));
  });

  it('logs nothing when logging is disabled', () => {
    const h = storeContext();
    const store = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1000), Serdes.String(), Serdes.Integer()).withLoggingDisabled().build();
    store.init(h.context, store);
    store.put(session('k', 0, 0), 1);
    expect(h.rawChangelog).toEqual([]);
  });
});

describe('session store caching', () => {
  it('keeps writes until flush, then forwards one update per session in last-write order, logging only then', () => {
    const { store, flushed, hasCache, log, setTimestamp } = open({ caching: true });
    expect(hasCache).toBe(true);
    setTimestamp(1);
    store.put(session('a', 0, 10), 1);
    setTimestamp(2);
    store.put(session('b', 0, 10), 1);
    setTimestamp(3);
    store.put(session('a', 0, 10), 2);
    expect(flushed).toEqual([]);
    expect(log()).toEqual([]);
    expect(store.fetchSession('a', 0, 10)).toBe(2);
    store.flush();
    expect(flushed).toEqual([
      ['[b@0/10]', 1, null, 2],
      ['[a@0/10]', 2, null, 3],
    ]);
    expect(log().map((c) => c[1])).toEqual([
      sessionKeyHex('b', '000000000000000a', '0000000000000000'),
      sessionKeyHex('a', '000000000000000a', '0000000000000000'),
    ]);
  });

  it('sends the value as of the last flush as the old value when asked; merging removes old sessions', () => {
    const { store, flushed } = open({ caching: true, sendOldValues: true });
    store.put(session('a', 0, 10), 1);
    store.flush();
    // a record at 15 merges [0,10] into [0,15]: the old session goes, the new one comes
    store.remove(session('a', 0, 10));
    store.put(session('a', 0, 15), 2);
    store.flush();
    expect(flushed).toEqual([
      ['[a@0/10]', 1, null, 0],
      ['[a@0/10]', null, 1, 0],
      ['[a@0/15]', 2, null, 0],
    ]);
  });

  it('does not forward the removal of a session that was never stored', () => {
    const { store, flushed, rawChangelog } = open({ caching: true });
    store.put(session('ghost', 0, 1), 1);
    store.remove(session('ghost', 0, 1));
    store.flush();
    expect(flushed).toEqual([]);
    expect(rawChangelog).toEqual([]);
  });

  it('reads merge cache over store: the cache wins and cached removals hide stored sessions', () => {
    const { store } = open({ caching: true });
    store.put(session('a', 0, 10), 1);
    store.put(session('b', 0, 10), 2);
    store.put(session('c', 5, 20), 3);
    store.flush();
    store.put(session('b', 0, 10), 20);
    store.remove(session('a', 0, 10));
    store.put(session('a', 12, 15), 4);
    const rows = [...store.fetch(null, null)].map((kv) => [kv.key.toString(), kv.value]);
    expect(rows).toEqual([['[b@0/10]', 20], ['[a@12/15]', 4], ['[c@5/20]', 3]]);
    expect([...store.backwardFindSessions('a', 0, 100)].map((kv) => kv.key.toString())).toEqual(['[a@12/15]']);
    expect(store.fetchSession('a', 0, 10)).toBeNull();
  });

  it('with size 0 every write is evicted and forwarded at once', () => {
    const { store, flushed } = open({ caching: true, cacheBytes: 0 });
    store.put(session('a', 0, 0), 1);
    expect(flushed).toEqual([['[a@0/0]', 1, null, 0]]);
  });

  it('without a cache the flush listener is refused, so the caller forwards', () => {
    expect(open().hasCache).toBe(false);
  });
});

describe('session store factories and builders', () => {
  it('validates the retention period', () => {
    expect(() => Stores.inMemorySessionStore('s', -1)).toThrow('retentionPeriod cannot be negative');
    expect(() => Stores.inMemorySessionStore('s', 0.5)).toThrow(IllegalArgumentError);
    expect(() => Stores.inMemorySessionStore(null as never, 1)).toThrow(IllegalArgumentError);
    expect(() => Stores.sessionStoreBuilder(null as never, null, null)).toThrow(IllegalArgumentError);
  });

  it('builders describe the store they build', () => {
    const b = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 100), Serdes.String(), Serdes.Integer());
    expect([b.kind, b.name, b.persistent, b.retentionPeriod, b.cachingEnabled, b.loggingEnabled]).toEqual(['session', 's', false, 100, false, true]);
    const store = b.withCachingEnabled().build();
    expect([store.name, store.retentionPeriod, store.persistent]).toEqual(['s', 100, false]);
    const h = storeContext();
    store.init(h.context, store);
    expect(h.registered).toEqual([store]);
  });

  it('falls back to the default serdes of the application', () => {
    const h = storeContext();
    const store = Stores.sessionStoreBuilder<string, string>(Stores.inMemorySessionStore('s', 100), null, null).build();
    store.init(h.context, store);
    store.put(session('k', 0, 1), 'v');
    expect(store.fetchSession('k', 0, 1)).toBe('v');
  });
});

describe('session store stacks agree', () => {
  it('a small evicting cache reads like the plain store under a session-merging workload, plus expired sessions it still holds', () => {
    const make = (caching: boolean) => {
      const h = storeContext(2000);
      const b = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('d', 500), Serdes.String(), Serdes.Integer());
      if (caching) b.withCachingEnabled();
      const store = b.build();
      store.init(h.context, store);
      return store;
    };
    const plain = make(false);
    const cachedStore = make(true);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const rows = (it: Iterable<{ key: Windowed<string>; value: number }>) => [...it].map((kv) => [kv.key.toString(), kv.value]);
    const gap = 20;
    let maxEnd = -1;
    let extra = 0;
    for (let i = 0; i < 3000; i++) {
      const key = `k${rand(15)}`;
      const t = Math.max(0, i - rand(30)); // the plain store drops sessions ending before 0, a cache keeps them
      // what a session aggregation does: find the sessions the record merges with, replace them by one
      const merged = rows(plain.findSessions(key, t - gap, t + gap));
      expect(rows(cachedStore.findSessions(key, t - gap, t + gap))).toEqual(merged);
      let start = t;
      let end = t;
      let agg = 1;
      for (const kv of plain.findSessions(key, t - gap, t + gap)) {
        start = Math.min(start, kv.key.window.start);
        end = Math.max(end, kv.key.window.end);
        agg += kv.value;
        plain.remove(kv.key);
        cachedStore.remove(kv.key);
      }
      plain.put(session(key, start, end), agg);
      cachedStore.put(session(key, start, end), agg);
      maxEnd = Math.max(maxEnd, end);
      if (i % 101 === 0) {
        // as in Kafka, sessions past retention stay readable while cached; within retention both agree
        const cached = [...cachedStore.fetch(null, null)];
        const liveFrom = maxEnd - 500 + 1;
        expect(rows(cached.filter((kv) => kv.key.window.end >= liveFrom))).toEqual(rows(plain.fetch(null, null)));
        extra += cached.length - cached.filter((kv) => kv.key.window.end >= liveFrom).length;
      }
    }
    expect(extra).toBeGreaterThan(0);
  });
});
