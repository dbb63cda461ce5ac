import { afterEach, describe, expect, it } from 'vitest';
import { IllegalArgumentError, InvalidStateStoreError, SerializationError } from '../../src/errors.js';
import { Serdes } from '../../src/serdes/Serdes.js';
import { MeteredSessionStore } from '../../src/state/internals/MeteredSessionStore.js';
import type { SessionBytesStore } from '../../src/state/internals/SessionBytesStore.js';
import type { KeyValue } from '../../src/state/KeyValueStore.js';
import { Stores } from '../../src/state/Stores.js';
import type { SessionStore } from '../../src/state/WindowStore.js';
import { Window, Windowed } from '../../src/windowing/Window.js';
import { type BackendStack, closeTracked, configureStack, flushAndCommit, inMemory, ROCKSDB_STACKS, sessionSupplier, track } from './rocksdb/backends.js';
import { beforeAndAfterFlush as harnessBeforeAndAfterFlush, STACKS, storeContext } from './storeHarness.js';

function open(stack: BackendStack, retention = 10_000) {
  const h = storeContext();
  const store = configureStack(Stores.sessionStoreBuilder(sessionSupplier(stack.backend, 's', retention), Serdes.String(), Serdes.Integer()), stack).build();
  store.init(h.context, store);
  track(store, h.context);
  return { store: store as MeteredSessionStore<string, number>, ...h };
}

const session = (key: string, start: number, end: number) => new Windowed(key, new Window(start, end));

/** [key, start, end, value] of session entries. */
const rows = (it: Iterable<KeyValue<Windowed<string>, number>>) => [...it].map((kv) => [kv.key.key, kv.key.window.start, kv.key.window.end, kv.value]);

/** Puts [key, start, end, value] rows. */
function putAll(store: SessionStore<string, number>, sessions: [string, number, number, number][]): void {
  for (const [k, s, e, v] of sessions) store.put(session(k, s, e), v);
}

/** The same suite runs against each stack configuration and byte-store backend. */
const stacks: BackendStack[] = [...inMemory(STACKS), ...ROCKSDB_STACKS];

afterEach(closeTracked);

/** The harness's before-and-after-flush check; the flush also commits RocksDB stores, so the second pass reads RocksDB. */
function beforeAndAfterFlush(store: { flush(): void }, assertions: () => void): void {
  harnessBeforeAndAfterFlush({ flush: () => flushAndCommit(store) }, assertions);
}

for (const stack of stacks) {
  describe(`SessionStore (${stack.name})`, () => {
    it('puts, overwrites, fetches exact sessions, and removes them (remove or null)', () => {
      const { store } = open(stack);
      putAll(store, [['a', 0, 4, 1], ['aa', 0, 3, 2], ['aa', 0, 4, 3], ['aa', 1, 4, 4], ['aaa', 0, 4, 5], ['aa', 0, 4, 6]]);
      beforeAndAfterFlush(store, () => {
        expect(store.fetchSession('a', 0, 4)).toBe(1);
        expect(store.fetchSession('aa', 0, 3)).toBe(2);
        expect(store.fetchSession('aa', 0, 4)).toBe(6);
        expect(store.fetchSession('aa', 1, 4)).toBe(4);
        expect(store.fetchSession('aa', 2, 4)).toBeNull();
        expect(store.fetchSession('b', 0, 4)).toBeNull();
      });
      store.remove(session('aa', 0, 4));
      store.put(session('aa', 1, 4), null);
      store.remove(session('never', 0, 1));
      beforeAndAfterFlush(store, () => {
        expect(store.fetchSession('aa', 0, 4)).toBeNull();
        expect(store.fetchSession('aa', 1, 4)).toBeNull();
        expect(rows(store.fetch('aa'))).toEqual([['aa', 0, 3, 2]]);
      });
    });

    it('finds sessions ending at or after the earliest end and starting at or before the latest start', () => {
      const { store } = open(stack);
      putAll(store, [['a', 10, 10, 1], ['a', 500, 1000, 2], ['a', 1500, 2000, 3], ['a', 2500, 3000, 4], ['b', 500, 1000, 9]]);
      beforeAndAfterFlush(store, () => {
        expect(rows(store.findSessions('a', 0, 1000))).toEqual([['a', 10, 10, 1], ['a', 500, 1000, 2]]);
        expect(rows(store.findSessions('a', 400, 600))).toEqual([['a', 500, 1000, 2]]);
        expect(rows(store.findSessions('a', 1000, 1000))).toEqual([['a', 500, 1000, 2]]);
        expect(rows(store.findSessions('a', 1001, 1499))).toEqual([]);
        expect(rows(store.backwardFindSessions('a', 0, 1000))).toEqual([['a', 500, 1000, 2], ['a', 10, 10, 1]]);
      });
    });

    it('finds the sessions a new record merges with (Kafka shouldFindSessionsToMerge)', () => {
      const { store } = open(stack);
      putAll(store, [['a', 0, 100, 1], ['a', 101, 200, 2], ['a', 201, 300, 3], ['a', 301, 400, 4], ['a', 401, 500, 5]]);
      beforeAndAfterFlush(store, () => {
        expect(rows(store.findSessions('a', 150, 300)).map((r) => r[3])).toEqual([2, 3]);
        expect(rows(store.backwardFindSessions('a', 150, 300)).map((r) => r[3])).toEqual([3, 2]);
      });
    });

    it('orders by end, then key bytes, then start descending (Kafka in-memory); backward is the exact reverse', () => {
      const { store } = open(stack);
      putAll(store, [['b', 0, 10, 1], ['a', 5, 10, 2], ['a', 0, 10, 3], ['a', 0, 5, 4], ['c', 20, 20, 5], ['é', 1, 10, 6]]);
      beforeAndAfterFlush(store, () => {
        const forward = [['a', 0, 5, 4], ['a', 5, 10, 2], ['a', 0, 10, 3], ['b', 0, 10, 1], ['é', 1, 10, 6], ['c', 20, 20, 5]];
        expect(rows(store.fetch(null, null))).toEqual(forward);
        expect(rows(store.backwardFetch(null, null))).toEqual([...forward].reverse());
        expect(rows(store.findSessions(null, null, 10, 0))).toEqual([['a', 0, 10, 3], ['b', 0, 10, 1]]);
      });
    });

    it('fetches exactly one key, or a key range with open bounds (Kafka shouldFetchAllSessionsWithinKeyRange)', () => {
      const { store } = open(stack);
      putAll(store, [['aa', 10, 10, 2], ['b', 1000, 1000, 4], ['aaa', 100, 100, 3], ['bb', 1500, 2000, 5], ['aaaa', 100, 100, 6], ['a', 0, 0, 1], ['bbb', 2500, 3000, 7]]);
      beforeAndAfterFlush(store, () => {
        expect(rows(store.fetch('a'))).toEqual([['a', 0, 0, 1]]);
        expect(rows(store.fetch('aa', 'bb')).map((r) => r[3])).toEqual([2, 3, 6, 4, 5]);
        expect(rows(store.findSessions('aa', 'bb', 0, Number.MAX_SAFE_INTEGER)).map((r) => r[3])).toEqual([2, 3, 6, 4, 5]);
        expect(rows(store.fetch(null, 'bb')).map((r) => r[3])).toEqual([1, 2, 3, 6, 4, 5]);
        expect(rows(store.fetch('aa', null)).map((r) => r[3])).toEqual([2, 3, 6, 4, 5, 7]);
        expect(rows(store.backwardFetch('aa', 'bb')).map((r) => r[3])).toEqual([5, 4, 6, 3, 2]);
        expect(rows(store.backwardFindSessions('aa', 'bb', 0, 100)).map((r) => r[3])).toEqual([6, 3, 2]);
        expect(rows(store.backwardFetch('aa')).map((r) => r[3])).toEqual([2]);
        // an inverted key range is empty, as in Kafka
        expect(rows(store.fetch('bb', 'aa'))).toEqual([]);
      });
    });

    it('expires sessions that end a retention period behind the largest end put (boundaries -1/0/+1)', () => {
      const { store } = open(stack, 100);
      putAll(store, [['y', 40, 49, 1], ['y', 50, 50, 2], ['y', 51, 51, 3]]);
      expect(rows(store.fetch('y')).map((r) => r[3])).toEqual([1, 2, 3]);
      // stream time 150: a session ending at 150 - 100 = 50 or before has expired; one ending at 51 lives
      putAll(store, [['b', 0, 150, 9]]);
      putAll(store, [['x', 49, 49, 1], ['x', 50, 50, 2], ['x', 0, 51, 3]]);
      if (stack.caching) {
        // Kafka's CachingSessionStore (over the in-memory or the RocksDB store) filters cached
        // sessions by the time bounds only: written since the last eviction, they never expire
        // from reads, not even after a flush (clean entries stay cached). Kafka 3.9.2's driver,
        // through a processor (kstreams orders them as the in-memory store for every stack):
        beforeAndAfterFlush(store, () => {
          expect([store.fetchSession('y', 40, 49), store.fetchSession('y', 50, 50), store.fetchSession('y', 51, 51), store.fetchSession('x', 50, 50)]).toEqual([1, 2, 3, 2]);
          expect(rows(store.fetch(null, null))).toEqual([
            ['x', 49, 49, 1], ['y', 40, 49, 1], ['x', 50, 50, 2], ['y', 50, 50, 2], ['x', 0, 51, 3], ['y', 51, 51, 3], ['b', 0, 150, 9],
          ]);
          expect(rows(store.findSessions('x', 0, 1000))).toEqual([['x', 49, 49, 1], ['x', 50, 50, 2], ['x', 0, 51, 3]]);
        });
        putAll(store, [['b', 151, 151, 9]]);
        beforeAndAfterFlush(store, () => {
          expect(store.fetchSession('y', 51, 51)).toBe(3);
          expect(rows(store.fetch(null, null)).map((r) => r[0])).toEqual(['x', 'y', 'x', 'y', 'x', 'y', 'b', 'b']);
        });
        return;
      }
      beforeAndAfterFlush(store, () => {
        expect(store.fetchSession('y', 40, 49)).toBeNull();
        expect(store.fetchSession('y', 50, 50)).toBeNull();
        expect(store.fetchSession('y', 51, 51)).toBe(3);
        expect(store.fetchSession('x', 50, 50)).toBeNull();
        // a long session lives by its end, however old its start
        expect(rows(store.fetch(null, null))).toEqual([['x', 0, 51, 3], ['y', 51, 51, 3], ['b', 0, 150, 9]]);
        expect(rows(store.findSessions('x', 0, 1000))).toEqual([['x', 0, 51, 3]]);
      });
      putAll(store, [['b', 151, 151, 9]]);
      beforeAndAfterFlush(store, () => {
        expect(store.fetchSession('y', 51, 51)).toBeNull();
        expect(rows(store.fetch(null, null)).map((r) => r[0])).toEqual(['b', 'b']);
      });
    });

    it('iterators peek and close', () => {
      const { store } = open(stack);
      putAll(store, [['a', 0, 0, 1], ['aa', 0, 10, 2], ['a', 10, 20, 3], ['aa', 10, 20, 4]]);
      const it1 = store.findSessions('a', 0, 20);
      expect(it1.peekNextKey()?.toString()).toBe('[a@0/0]');
      expect(it1.next().value?.value).toBe(1);
      expect(it1.peekNextKey()?.toString()).toBe('[a@10/20]');
      it1.close();
      expect(it1.next().done).toBe(true);
      expect(store.backwardFindSessions('a', 0, 20).peekNextKey()?.toString()).toBe('[a@10/20]');
    });

    it('rejects null keys for single-key calls with typed errors; range bounds may be null', () => {
      const { store } = open(stack);
      expect(() => store.put(session(null as never, 0, 1), 1)).toThrow(SerializationError);
      expect(() => store.put(null as never, 1)).toThrow(IllegalArgumentError);
      expect(() => store.remove(null as never)).toThrow(IllegalArgumentError);
      expect(() => store.findSessions(null as never, 1, 2)).toThrow(SerializationError);
      expect(() => store.fetch(null as never)).toThrow(SerializationError);
      expect(() => store.fetchSession(null as never, 0, 1)).toThrow(SerializationError);
      expect(rows(store.fetch(null, null))).toEqual([]);
    });

    it('a value that no longer deserializes names the store, the key and the session', () => {
      const h = storeContext();
      const b = configureStack(Stores.sessionStoreBuilder(sessionSupplier(stack.backend, 's', 100), Serdes.String(), Serdes.String()), stack);
      const asString = b.build();
      asString.init(h.context, asString);
      track(asString, h.context);
      asString.put(session('k', 3, 7), 'xy');
      const inner = (asString as unknown as { inner: SessionBytesStore }).inner;
      const asInt = new MeteredSessionStore<string, number>(
        inner,
        Serdes.String(),
        (s) => ({
          encode: (t, v) => s.serializer().serialize(t, v),
          decode: (t, bytes) => Serdes.Integer().deserializer().deserialize(t, bytes) as number,
        }),
        Serdes.Integer() as never,
      );
      asInt.init(h.context, asInt);
      expect(() => asInt.fetchSession('k', 3, 7)).toThrow(/Store s: the value of key k \(session \[3, 7\]\) does not deserialize/);
      expect(() => asInt.fetch('k').next()).toThrow(SerializationError);
    });

    it('is unusable after close', () => {
      const { store } = open(stack);
      store.close();
      expect(store.isOpen()).toBe(false);
      expect(() => store.put(session('a', 0, 0), 1)).toThrow(InvalidStateStoreError);
      expect(() => store.fetch('a')).toThrow(InvalidStateStoreError);
    });
  });
}
