import type { Serializer } from '../serdes/Serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore } from '../state/KeyValueStore.js';
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
