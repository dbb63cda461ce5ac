import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateStoreError, SerializationError } from '../../src/errors.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import type { KeyValueStore } from '../../src/state/KeyValueStore.js';
import { MeteredKeyValueStore } from '../../src/state/internals/MeteredKeyValueStore.js';
import { Stores } from '../../src/state/Stores.js';
import { type BackendStack, closeTracked, flushAndCommit, keyValueSupplier, ROCKSDB_STACKS, track } from './rocksdb/backends.js';
import { storeContext } from './storeHarness.js';

/** The same suite runs against each stack configuration and byte-store backend. */
const stacks: BackendStack[] = [
  { name: 'in-memory', caching: false, logging: false, backend: 'in-memory' },
  { name: 'in-memory + logging', caching: false, logging: true, backend: 'in-memory' },
  { name: 'in-memory + cache + logging', caching: true, logging: true, backend: 'in-memory' },
  ...ROCKSDB_STACKS,
];

afterEach(closeTracked);

function open(caching: boolean, logging: boolean, stack?: BackendStack) {
  const h = storeContext();
  const b = Stores.keyValueStoreBuilder(keyValueSupplier(stack?.backend ?? 'in-memory', 's'), Serdes.String(), Serdes.Integer());
  if (caching) b.withCachingEnabled();
  if (!logging) b.withLoggingDisabled();
  const store = b.build() as KeyValueStore<string, number>;
  store.init(h.context, store);
  track(store, h.context);
  return { store, ...h };
}

const keys = (it: Iterable<{ key: string }>) => [...it].map((kv) => kv.key);

for (const stack of stacks) {
  describe(`KeyValueStore (${stack.name})`, () => {
    it('put, get, overwrite and delete', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      expect(store.get('a')).toBeNull();
      store.put('a', 1);
      store.put('a', 2);
      expect(store.get('a')).toBe(2);
      expect(store.delete('a')).toBe(2);
      expect(store.get('a')).toBeNull();
      expect(store.delete('missing')).toBeNull();
    });

    it('putting null deletes', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.put('a', 1);
      store.put('a', null);
      expect(store.get('a')).toBeNull();
      expect(keys(store.all())).toEqual([]);
    });

    it('putIfAbsent only writes a missing key and returns the existing value', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      expect(store.putIfAbsent('a', 1)).toBeNull();
      expect(store.putIfAbsent('a', 5)).toBe(1);
      expect(store.get('a')).toBe(1);
    });

    it('range, reverseRange and all follow byte order of the serialized keys, bounds inclusive', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.putAll(['d', 'a', 'c', 'b', 'e'].map((k, i) => ({ key: k, value: i })));
      expect(keys(store.all())).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(keys(store.reverseAll())).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(keys(store.range('b', 'd'))).toEqual(['b', 'c', 'd']);
      expect(keys(store.reverseRange('b', 'd'))).toEqual(['d', 'c', 'b']);
      expect(keys(store.range(null, 'b'))).toEqual(['a', 'b']);
      expect(keys(store.range('d', null))).toEqual(['d', 'e']);
      expect(keys(store.range('d', 'b'))).toEqual([]);
    });

    it('uses unsigned byte order, not JS string order, for non-ASCII keys', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      // 'é' is 0xC3 0xA9 in UTF-8, above 'z' (0x7A); '\u{1F600}' starts with 0xF0
      store.putAll([{ key: '\u{1F600}', value: 1 }, { key: 'é', value: 2 }, { key: 'z', value: 3 }]);
      expect(keys(store.all())).toEqual(['z', 'é', '\u{1F600}']);
    });

    it('prefixScan returns keys starting with the serialized prefix', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.putAll(['user:1', 'user:2', 'usex', 'order:1', 'user:10'].map((k) => ({ key: k, value: 0 })));
      expect(keys(store.prefixScan('user:', Serdes.String().serializer()))).toEqual(['user:1', 'user:10', 'user:2']);
      expect(keys(store.prefixScan('none', Serdes.String().serializer()))).toEqual([]);
    });

    it('iterators peek and close', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.putAll([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
      const it1 = store.all();
      expect(it1.peekNextKey()).toBe('a');
      expect(it1.next().value).toEqual({ key: 'a', value: 1 });
      expect(it1.peekNextKey()).toBe('b');
      it1.close();
      expect(it1.next().done).toBe(true);
    });

    it('counts entries', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.putAll([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
      flushAndCommit(store);
      expect(store.approximateNumEntries()).toBe(2);
    });

    it('rejects null keys with a clear error', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      expect(() => store.put(null as never, 1)).toThrow(SerializationError);
    });

    it('a value that no longer deserializes names the store and the key', () => {
      const h = storeContext();
      const raw = Stores.keyValueStoreBuilder(keyValueSupplier(stack.backend, 's'), Serdes.String(), Serdes.String()).withLoggingDisabled();
      if (stack.caching) raw.withCachingEnabled();
      const asString = raw.build();
      asString.init(h.context, asString);
      track(asString, h.context);
      asString.put('k', 'xy');
      // read the same bytes back through an Integer serde: 2 bytes cannot be an int
      const inner = (asString as unknown as { inner: KeyValueStore<Buffer, Buffer> }).inner;
      const asInt = new MeteredKeyValueStore<string, number>(inner, Serdes.String(), (s) => ({
        encode: (t, v) => s.serializer().serialize(t, v),
        decode: (t, b) => Serdes.Integer().deserializer().deserialize(t, b) as number,
      }), Serdes.Integer() as never);
      asInt.init(h.context, asInt);
      expect(() => asInt.get('k')).toThrow(/Store s: the value of key k does not deserialize/);
    });

    it('is unusable after close', () => {
      const { store } = open(stack.caching, stack.logging, stack);
      store.close();
      expect(store.isOpen()).toBe(false);
      expect(() => {
        store.put('a', 1);
        store.flush();
      }).toThrow(InvalidStateStoreError);
    });
  });
}

describe('change logging', () => {
  it('logs every write with the record timestamp, and deletes as null', () => {
    const { store, changelog, setTimestamp } = open(false, true);
    setTimestamp(5);
    store.put('a', 1);
    setTimestamp(6);
    store.delete('a');
    expect(changelog.map((c) => [c.store, c.key, c.value === null ? null : c.value.readInt32BE(0), c.timestamp])).toEqual([
      ['s', 'a', 1, 5],
      ['s', 'a', null, 6],
    ]);
  });

  it('logs nothing when logging is disabled', () => {
    const { store, changelog } = open(false, false);
    store.put('a', 1);
    expect(changelog).toEqual([]);
  });

  it('timestamped stores log the plain value with the stored timestamp', () => {
    const h = storeContext();
    const store = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('t'), Serdes.String(), Serdes.String()).build();
    store.init(h.context, store);
    h.setTimestamp(100);
    store.put('k', { value: 'v', timestamp: 42 });
    expect(h.changelog).toEqual([{ store: 't', key: 'k', value: Buffer.from('v'), timestamp: 42 }]);
    expect(store.get('k')).toEqual({ value: 'v', timestamp: 42 });
  });
});
