import type { Serializer } from '../serdes/Serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore } from '../state/KeyValueStore.js';
import type { WindowStore } from '../state/WindowStore.js';
import type { StateStore, StoreContext } from '../state/StateStore.js';
import type { TimestampedKeyValueStore } from '../state/Stores.js';
import { ValueAndTimestamp } from '../state/ValueAndTimestamp.js';

/**
 * Shows a timestamped store as a plain key-value store, as Kafka's driver
 * does for DSL stores: reads drop the timestamps; writes from a test (there
 * is no record being processed) are stamped with -1.
 */
export function timestampedToPlainView<K, V>(store: TimestampedKeyValueStore<K, V>): KeyValueStore<K, V> {
  const unwrap = (it: KeyValueIterator<K, ValueAndTimestamp<V>>): KeyValueIterator<K, V> => ({
    next(): IteratorResult<KeyValue<K, V>> {
      const n = it.next();
      return n.done ? { done: true, value: undefined } : { done: false, value: { key: n.value.key, value: n.value.value.value } };
    },
    peekNextKey: () => it.peekNextKey(),
    close: () => it.close(),
    [Symbol.iterator]() {
      return this;
    },
  });
  const wrap = (v: V | null) => ValueAndTimestamp.make(v, -1);
  return {
    get name() {
      return store.name;
    },
    get persistent() {
      return store.persistent;
    },
    init: (context: StoreContext, root: StateStore) => store.init(context, root),
    flush: () => store.flush(),
    close: () => store.close(),
    isOpen: () => store.isOpen(),
    get: (key) => ValueAndTimestamp.getValueOrNull(store.get(key)),
    put: (key, value) => store.put(key, wrap(value)),
    putIfAbsent: (key, value) => ValueAndTimestamp.getValueOrNull(store.putIfAbsent(key, wrap(value))),
    putAll: (entries) => store.putAll(entries.map((e) => ({ key: e.key, value: wrap(e.value) }))),
    delete: (key) => ValueAndTimestamp.getValueOrNull(store.delete(key)),
    range: (from, to) => unwrap(store.range(from, to)),
    reverseRange: (from, to) => unwrap(store.reverseRange(from, to)),
    all: () => unwrap(store.all()),
    reverseAll: () => unwrap(store.reverseAll()),
    prefixScan: <P>(prefix: P, ser: Serializer<P>) => unwrap(store.prefixScan(prefix, ser)),
    approximateNumEntries: () => store.approximateNumEntries(),
  };
}

/** Shows a timestamped window store as a plain window store (reads drop timestamps; test writes stamp -1). */
export function timestampedWindowToPlainView<K, V>(store: WindowStore<K, ValueAndTimestamp<V>>): WindowStore<K, V> {
  const unwrapIt = <KK>(it: KeyValueIterator<KK, ValueAndTimestamp<V>>): KeyValueIterator<KK, V> => ({
    next(): IteratorResult<KeyValue<KK, V>> {
      const n = it.next();
      return n.done ? { done: true, value: undefined } : { done: false, value: { key: n.value.key, value: n.value.value.value } };
    },
    peekNextKey: () => it.peekNextKey(),
    close: () => it.close(),
    [Symbol.iterator]() {
      return this;
    },
  });
  const view = {
    get name() {
      return store.name;
    },
    get persistent() {
      return store.persistent;
    },
    get retentionPeriod() {
      return store.retentionPeriod;
    },
    get windowSize() {
      return store.windowSize;
    },
    init: (context: StoreContext, root: StateStore) => store.init(context, root),
    flush: () => store.flush(),
    close: () => store.close(),
    isOpen: () => store.isOpen(),
    put: (key: K, value: V | null, start: number) => store.put(key, ValueAndTimestamp.make(value, -1), start),
    fetch: (...args: unknown[]) => {
      if (args.length === 2) return ValueAndTimestamp.getValueOrNull((store.fetch as (k: K, t: number) => ValueAndTimestamp<V> | null)(args[0] as K, args[1] as number));
      return unwrapIt((store.fetch as (...a: unknown[]) => KeyValueIterator<unknown, ValueAndTimestamp<V>>)(...args));
    },
    backwardFetch: (...args: unknown[]) => unwrapIt((store.backwardFetch as (...a: unknown[]) => KeyValueIterator<unknown, ValueAndTimestamp<V>>)(...args)),
    fetchAll: (from: number, to: number) => unwrapIt(store.fetchAll(from, to)),
    backwardFetchAll: (from: number, to: number) => unwrapIt(store.backwardFetchAll(from, to)),
    all: () => unwrapIt(store.all()),
    backwardAll: () => unwrapIt(store.backwardAll()),
  };
  return view as unknown as WindowStore<K, V>;
}
