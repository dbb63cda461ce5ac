import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateStoreError, SerializationError } from '../../src/errors.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import { MeteredWindowStore } from '../../src/state/internals/MeteredWindowStore.js';
import type { WindowBytesStore } from '../../src/state/internals/WindowBytesStore.js';
import type { KeyValue } from '../../src/state/KeyValueStore.js';
import { Stores } from '../../src/state/Stores.js';
import type { WindowStore } from '../../src/state/WindowStore.js';
import type { Windowed } from '../../src/windowing/Window.js';
import { type BackendStack, closeTracked, configureStack, flushAndCommit, inMemory, ROCKSDB_STACKS, windowSupplier, track } from './rocksdb/backends.js';
import { beforeAndAfterFlush as harnessBeforeAndAfterFlush, STACKS, storeContext } from './storeHarness.js';

interface Options {
  retention?: number;
  size?: number;
  duplicates?: boolean;
}

function open(stack: BackendStack, { retention = 1000, size = 10, duplicates = false }: Options = {}) {
  const h = storeContext();
  const supplier = windowSupplier(stack.backend, 'w', retention, size, duplicates);
  const store = configureStack(Stores.windowStoreBuilder(supplier, Serdes.String(), Serdes.Integer()), stack).build();
  store.init(h.context, store);
  track(store, h.context);
  return { store, ...h };
}

/** [key, window start, window end, value] of windowed entries. */
const windows = (it: Iterable<KeyValue<Windowed<string>, number>>) =>
  [...it].map((kv) => [kv.key.key, kv.key.window.start, kv.key.window.end, kv.value]);
/** [window start, value] of one key's entries. */
const starts = (it: Iterable<KeyValue<number, number>>) => [...it].map((kv) => [kv.key, kv.value]);

/** Puts [key, value, windowStart] triples. */
function putAll(store: WindowStore<string, number>, rows: [string, number, number][]): void {
  for (const [k, v, t] of rows) store.put(k, v, t);
}

/** The same suite runs against each stack configuration and byte-store backend. */
const stacks: BackendStack[] = [...inMemory(STACKS), ...ROCKSDB_STACKS];

afterEach(closeTracked);

/** The harness's before-and-after-flush check; the flush also commits RocksDB stores, so the second pass reads RocksDB. */
function beforeAndAfterFlush(store: { flush(): void }, assertions: () => void): void {
  harnessBeforeAndAfterFlush({ flush: () => flushAndCommit(store) }, assertions);
}

for (const stack of stacks) {
  describe(`WindowStore (${stack.name})`, () => {
    it('puts, overwrites, fetches one window and deletes with null', () => {
      const { store } = open(stack);
      expect(store.fetch('a', 0)).toBeNull();
      store.put('a', 1, 0);
      store.put('a', 2, 0);
      store.put('a', 3, 10);
      beforeAndAfterFlush(store, () => {
        expect(store.fetch('a', 0)).toBe(2);
        expect(store.fetch('a', 10)).toBe(3);
        expect(store.fetch('a', 5)).toBeNull();
        expect(store.fetch('b', 0)).toBeNull();
      });
      store.put('a', null, 0);
      beforeAndAfterFlush(store, () => {
        expect(store.fetch('a', 0)).toBeNull();
        expect(windows(store.all())).toEqual([['a', 10, 20, 3]]);
      });
    });

    it('fetches one key by window start, bounds inclusive, forward and backward', () => {
      const { store } = open(stack);
      putAll(store, [['a', 3, 30], ['a', 1, 10], ['b', 9, 20], ['a', 0, 0], ['a', 2, 20], ['ab', 9, 10]]);
      beforeAndAfterFlush(store, () => {
        expect(starts(store.fetch('a', 0, 30))).toEqual([[0, 0], [10, 1], [20, 2], [30, 3]]);
        expect(starts(store.fetch('a', 10, 20))).toEqual([[10, 1], [20, 2]]);
        expect(starts(store.fetch('a', 11, 19))).toEqual([]);
        expect(starts(store.fetch('a', 20, 10))).toEqual([]);
        expect(starts(store.backwardFetch('a', 0, 30))).toEqual([[30, 3], [20, 2], [10, 1], [0, 0]]);
        expect(starts(store.backwardFetch('a', 5, 25))).toEqual([[20, 2], [10, 1]]);
      });
    });

    it('fetches key ranges time-major (window start, then key bytes), with open bounds', () => {
      const { store } = open(stack, { size: 5 });
      putAll(store, [['c', 1, 10], ['a', 2, 10], ['b', 3, 0], ['d', 4, 0], ['a', 5, 20], ['b', 6, 20]]);
      beforeAndAfterFlush(store, () => {
        expect(windows(store.fetch('a', 'c', 0, 20))).toEqual([
          ['b', 0, 5, 3],
          ['a', 10, 15, 2],
          ['c', 10, 15, 1],
          ['a', 20, 25, 5],
          ['b', 20, 25, 6],
        ]);
        expect(windows(store.fetch('b', 'c', 10, 20))).toEqual([['c', 10, 15, 1], ['b', 20, 25, 6]]);
        expect(windows(store.fetch(null, 'b', 0, 10))).toEqual([['b', 0, 5, 3], ['a', 10, 15, 2]]);
        expect(windows(store.fetch('c', null, 0, 10))).toEqual([['d', 0, 5, 4], ['c', 10, 15, 1]]);
        expect(windows(store.fetch(null, null, 20, 20))).toEqual([['a', 20, 25, 5], ['b', 20, 25, 6]]);
        expect(windows(store.backwardFetch('a', 'c', 0, 20))).toEqual([
          ['b', 20, 25, 6],
          ['a', 20, 25, 5],
          ['c', 10, 15, 1],
          ['a', 10, 15, 2],
          ['b', 0, 5, 3],
        ]);
        // an inverted key range is empty, as in Kafka
        expect(windows(store.fetch('c', 'a', 0, 20))).toEqual([]);
        expect(windows(store.backwardFetch('c', 'a', 0, 20))).toEqual([]);
      });
    });

    it('fetchAll and all cover every key, in time-major order and its exact reverse', () => {
      const { store } = open(stack);
      putAll(store, [['b', 1, 10], ['a', 2, 10], ['c', 3, 0], ['a', 4, 30]]);
      beforeAndAfterFlush(store, () => {
        const forward = [['c', 0, 10, 3], ['a', 10, 20, 2], ['b', 10, 20, 1], ['a', 30, 40, 4]];
        expect(windows(store.all())).toEqual(forward);
        expect(windows(store.backwardAll())).toEqual([...forward].reverse());
        expect(windows(store.fetchAll(5, 30))).toEqual(forward.slice(1));
        expect(windows(store.backwardFetchAll(0, 10))).toEqual(forward.slice(0, 3).reverse());
        expect(windows(store.fetchAll(11, 29))).toEqual([]);
      });
    });

    it('orders keys by unsigned bytes, not JS string order', () => {
      const { store } = open(stack);
      putAll(store, [['\u{1F600}', 1, 0], ['é', 2, 0], ['z', 3, 0]]);
      beforeAndAfterFlush(store, () => {
        expect(windows(store.fetchAll(0, 0)).map((w) => w[0])).toEqual(['z', 'é', '\u{1F600}']);
      });
    });

    it('expires windows a retention period behind the largest window start put (boundaries -1/0/+1)', () => {
      const { store } = open(stack, { retention: 100, size: 10 });
      // stream time 51: all three live
      putAll(store, [['y', 1, 49], ['y', 2, 50], ['y', 3, 51]]);
      expect(starts(store.fetch('y', 0, 100))).toEqual([[49, 1], [50, 2], [51, 3]]);
      // stream time 150: a window at 150 - 100 = 50 or before has expired; 51 lives
      store.put('b', 9, 150);
      // puts that are already expired are dropped; the live one is kept
      putAll(store, [['x', 1, 49], ['x', 2, 50], ['x', 3, 51]]);
      if (stack.caching) {
        // Kafka's caching window stores (CachingWindowStore over the in-memory or the RocksDB
        // store) filter cached windows by the time range only: nothing written since the cache
        // was last evicted expires from reads, not even expired puts, and the (clean) cache
        // entries keep them readable after a flush too. Kafka 3.9.2's driver, through a
        // processor (kstreams orders them as the in-memory store for every stack):
        beforeAndAfterFlush(store, () => {
          expect([store.fetch('y', 49), store.fetch('y', 50), store.fetch('y', 51), store.fetch('x', 50)]).toEqual([1, 2, 3, 2]);
          expect(starts(store.fetch('x', 0, 200))).toEqual([[49, 1], [50, 2], [51, 3]]);
          expect(windows(store.fetchAll(0, 200))).toEqual([
            ['x', 49, 59, 1], ['y', 49, 59, 1], ['x', 50, 60, 2], ['y', 50, 60, 2], ['x', 51, 61, 3], ['y', 51, 61, 3], ['b', 150, 160, 9],
          ]);
          expect(windows(store.backwardAll()).map((w) => `${w[0]}${w[1]}`)).toEqual(['b150', 'y51', 'x51', 'y50', 'x50', 'y49', 'x49']);
        });
        store.put('b', 9, 151);
        beforeAndAfterFlush(store, () => {
          expect(store.fetch('y', 51)).toBe(3);
          expect(windows(store.all()).map((w) => `${w[0]}${w[1]}`)).toEqual(['x49', 'y49', 'x50', 'y50', 'x51', 'y51', 'b150', 'b151']);
        });
        return;
      }
      beforeAndAfterFlush(store, () => {
        expect(store.fetch('y', 49)).toBeNull();
        expect(store.fetch('y', 50)).toBeNull();
        expect(store.fetch('y', 51)).toBe(3);
        expect(store.fetch('x', 50)).toBeNull();
        expect(starts(store.fetch('x', 0, 200))).toEqual([[51, 3]]);
        expect(windows(store.fetchAll(0, 200))).toEqual([['x', 51, 61, 3], ['y', 51, 61, 3], ['b', 150, 160, 9]]);
        expect(windows(store.backwardAll())).toEqual([['b', 150, 160, 9], ['y', 51, 61, 3], ['x', 51, 61, 3]]);
      });
      // reads never advance stream time
      expect(store.fetch('y', 51)).toBe(3);
      store.put('b', 9, 151);
      beforeAndAfterFlush(store, () => {
        expect(store.fetch('y', 51)).toBeNull();
        expect(windows(store.all())).toEqual([['b', 150, 160, 9], ['b', 151, 161, 9]]);
      });
    });

    it('keeps everything within the retention period, and stream time never goes back', () => {
      const { store } = open(stack, { retention: 100, size: 100 });
      putAll(store, [['a', 1, 200], ['a', 2, 101], ['a', 3, 100]]);
      beforeAndAfterFlush(store, () => {
        // a cache keeps even the expired put readable (Kafka's caching window store)
        expect(starts(store.fetch('a', 0, 300))).toEqual(stack.caching ? [[100, 3], [101, 2], [200, 1]] : [[101, 2], [200, 1]]);
      });
    });

    it('iterators peek and close', () => {
      const { store } = open(stack);
      putAll(store, [['a', 1, 0], ['a', 2, 10]]);
      const it1 = store.fetch('a', 0, 10);
      expect(it1.peekNextKey()).toBe(0);
      expect(it1.next().value).toEqual({ key: 0, value: 1 });
      expect(it1.peekNextKey()).toBe(10);
      it1.close();
      expect(it1.next().done).toBe(true);
      const it2 = store.all();
      expect(it2.peekNextKey()?.toString()).toBe('[a@0/10]');
    });

    it('rejects null keys for single-key calls with a typed error', () => {
      const { store } = open(stack);
      expect(() => store.put(null as never, 1, 0)).toThrow(SerializationError);
      expect(() => store.fetch(null as never, 0)).toThrow(SerializationError);
      expect(() => store.fetch(null as never, 0, 10)).toThrow(SerializationError);
    });

    it('a value that no longer deserializes names the store, the key and the window', () => {
      const h = storeContext();
      const b = configureStack(
        Stores.windowStoreBuilder(windowSupplier(stack.backend, 'w', 100, 10, false), Serdes.String(), Serdes.String()),
        stack,
      );
      const asString = b.build();
      asString.init(h.context, asString);
      track(asString, h.context);
      asString.put('k', 'xy', 20);
      // read the same bytes back through an Integer serde: 2 bytes cannot be an int
      const inner = (asString as unknown as { inner: WindowBytesStore }).inner;
      const asInt = new MeteredWindowStore<string, number>(
        inner,
        Serdes.String(),
        (s) => ({
          encode: (t, v) => s.serializer().serialize(t, v),
          decode: (t, bytes) => Serdes.Integer().deserializer().deserialize(t, bytes) as number,
        }),
        Serdes.Integer() as never,
      );
      asInt.init(h.context, asInt);
      expect(() => asInt.fetch('k', 20)).toThrow(/Store w: the value of key k \(window start 20\) does not deserialize/);
      // iterators fail at the bad entry, not when the read starts
      const it1 = asInt.all();
      expect(it1.peekNextKey()?.key).toBe('k');
      expect(() => it1.next()).toThrow(SerializationError);
    });

    it('is unusable after close', () => {
      const { store } = open(stack);
      store.close();
      expect(store.isOpen()).toBe(false);
      expect(() => store.put('a', 1, 0)).toThrow(InvalidStateStoreError);
      expect(() => store.fetch('a', 0)).toThrow(InvalidStateStoreError);
    });

    describe('retaining duplicates', () => {
      it('keeps every put of one key and window, fetching them in insertion order', () => {
        const { store } = open(stack, { duplicates: true });
        putAll(store, [['a', 1, 5], ['a', 2, 5], ['ab', 3, 5], ['a', 1, 5], ['a', 4, 6]]);
        beforeAndAfterFlush(store, () => {
          expect(starts(store.fetch('a', 0, 10))).toEqual([[5, 1], [5, 2], [5, 1], [6, 4]]);
          expect(starts(store.backwardFetch('a', 0, 10))).toEqual([[6, 4], [5, 1], [5, 2], [5, 1]]);
          expect(windows(store.fetch('a', 'a', 5, 5))).toEqual([['a', 5, 15, 1], ['a', 5, 15, 2], ['a', 5, 15, 1]]);
          expect(windows(store.fetch('ab', 'ab', 0, 10))).toEqual([['ab', 5, 15, 3]]);
          expect(windows(store.all()).map((w) => w[3])).toEqual([1, 2, 1, 3, 4]);
        });
      });

      it('filters key ranges exactly although ids of different key lengths interleave', () => {
        const { store } = open(stack, { duplicates: true });
        // 'a\0'+seq sorts before 'a'+seq: the seqnum's first byte is 0 too, then 0 < 1
        putAll(store, [['a', 1, 5], ['a\u0000', 2, 5]]);
        expect(windows(store.fetch('a', 'a', 0, 10))).toEqual([['a', 5, 15, 1]]);
        expect(windows(store.fetch('a\u0000', null, 0, 10))).toEqual([['a\u0000', 5, 15, 2]]);
        expect(windows(store.fetchAll(0, 10)).map((w) => w[0])).toEqual(['a\u0000', 'a']);
      });

      it('null puts are no-ops, and single-window fetch finds nothing (as Kafka in-memory)', () => {
        const { store } = open(stack, { duplicates: true });
        store.put('a', 1, 5);
        store.put('a', null, 5);
        expect(starts(store.fetch('a', 0, 10))).toEqual([[5, 1]]);
        expect(store.fetch('a', 5)).toBeNull();
      });

      it('expires duplicates with their window', () => {
        const { store } = open(stack, { duplicates: true, retention: 10, size: 10 });
        putAll(store, [['a', 1, 0], ['a', 2, 0], ['a', 3, 10]]);
        expect(starts(store.fetch('a', 0, 10))).toEqual([[10, 3]]);
      });
    });
  });
}
