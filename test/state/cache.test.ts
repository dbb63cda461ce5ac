import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/Serdes.js';
import type { MeteredKeyValueStore } from '../../src/state/internals/MeteredKeyValueStore.js';
import { Stores } from '../../src/state/Stores.js';
import { storeContext } from './storeHarness.js';

function cachedStore(cacheBytes: number, sendOldValues = false) {
  const h = storeContext(cacheBytes);
  const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('c'), Serdes.String(), Serdes.Integer())
    .withCachingEnabled()
    .build() as unknown as MeteredKeyValueStore<string, number>;
  store.init(h.context, store);
  const flushed: [string, number | null, number | null, number][] = [];
  store.setFlushListener((k, nv, ov, ctx) => flushed.push([k, nv, ov, ctx.timestamp]), sendOldValues);
  return { store, flushed, ...h };
}

describe('record cache', () => {
  it('keeps writes until flush, then forwards one compacted update per key in last-write order', () => {
    const { store, flushed, changelog, setTimestamp } = cachedStore(1024 * 1024);
    setTimestamp(1);
    store.put('a', 1);
    setTimestamp(2);
    store.put('b', 1);
    setTimestamp(3);
    store.put('a', 2);
    expect(flushed).toEqual([]);
    expect(changelog).toEqual([]);
    expect(store.get('a')).toBe(2);
    store.flush();
    expect(flushed).toEqual([
      ['b', 1, null, 2],
      ['a', 2, null, 3],
    ]);
    expect(changelog.map((c) => c.key)).toEqual(['b', 'a']);
    store.flush();
    expect(flushed).toHaveLength(2);
  });

  it('sends the value as of the last flush as the old value when asked', () => {
    const { store, flushed } = cachedStore(1024 * 1024, true);
    store.put('a', 1);
    store.flush();
    store.put('a', 2);
    store.put('a', 3);
    store.flush();
    expect(flushed).toEqual([
      ['a', 1, null, 0],
      ['a', 3, 1, 0],
    ]);
  });

  it('does not forward the deletion of a key that was never stored', () => {
    const { store, flushed, changelog } = cachedStore(1024 * 1024);
    store.put('ghost', 1);
    store.delete('ghost');
    store.flush();
    expect(flushed).toEqual([]);
    expect(changelog).toEqual([]);
  });

  it('forwards a deletion of a stored key', () => {
    const { store, flushed } = cachedStore(1024 * 1024);
    store.put('a', 1);
    store.flush();
    store.delete('a');
    store.flush();
    expect(flushed.at(-1)).toEqual(['a', null, null, 0]);
    expect(store.get('a')).toBeNull();
  });

  it('with size 0 every write is evicted and forwarded at once', () => {
    const { store, flushed } = cachedStore(0);
    store.put('a', 1);
    expect(flushed).toEqual([['a', 1, null, 0]]);
    store.put('a', 2);
    expect(flushed).toEqual([
      ['a', 1, null, 0],
      ['a', 2, null, 0],
    ]);
  });

  it('evicts least recently used entries, flushing dirty ones first, when full', () => {
    const { store, flushed, cache } = cachedStore(400);
    for (let i = 0; i < 20; i++) store.put(`k${i}`, i);
    expect(cache.sizeBytes()).toBeLessThanOrEqual(400);
    expect(flushed.length).toBeGreaterThan(0);
    // nothing is lost: every key is readable from cache or store
    for (let i = 0; i < 20; i++) expect(store.get(`k${i}`)).toBe(i);
  });

  it('range merges cached and stored entries, the cache winning', () => {
    const { store } = cachedStore(1024 * 1024);
    store.put('a', 1);
    store.put('b', 2);
    store.flush();
    store.put('b', 20);
    store.put('c', 3);
    store.delete('a');
    expect([...store.all()].map((kv) => [kv.key, kv.value])).toEqual([
      ['b', 20],
      ['c', 3],
    ]);
    expect([...store.reverseRange('a', 'c')].map((kv) => kv.key)).toEqual(['c', 'b']);
  });
});
