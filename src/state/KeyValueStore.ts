import type { StateStore } from './StateStore.js';

/** A key and a value, as Kafka's `KeyValue`. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Shorthand to build a KeyValue. */
export function keyValue<K, V>(key: K, value: V): KeyValue<K, V> {
  return { key, value };
}

/** An iterator over store entries; close it when done (stores may hold resources for it). */
export interface KeyValueIterator<K, V> extends IterableIterator<KeyValue<K, V>> {
  close(): void;
  /** The next key without advancing, or undefined at the end. */
  peekNextKey(): K | undefined;
}

/** The read side of a key-value store; what interactive queries see. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null;
  /** Entries with from <= key <= to, in key byte order; null bounds are open. */
  range(from: K | null, to: K | null): KeyValueIterator<K, V>;
  /** As range, in reverse key order. */
  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  reverseAll(): KeyValueIterator<K, V>;
  /** Entries whose serialized key starts with the serialized `prefix`. */
  prefixScan<P>(prefix: P, prefixSerializer: import('../serdes/Serde.js').Serializer<P>): KeyValueIterator<K, V>;
  approximateNumEntries(): number;
}

/** A mutable key-value store. Putting null deletes. */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>, StateStore {
  put(key: K, value: V | null): void;
  /** Puts only when the key has no value; returns the existing value, or null if it put. */
  putIfAbsent(key: K, value: V | null): V | null;
  putAll(entries: readonly KeyValue<K, V | null>[]): void;
  /** Deletes and returns the old value. */
  delete(key: K): V | null;
}

/** An iterator over a ready list of entries. */
export class ArrayKeyValueIterator<K, V> implements KeyValueIterator<K, V> {
  private index = 0;
  constructor(private readonly entries: readonly KeyValue<K, V>[]) {}

  next(): IteratorResult<KeyValue<K, V>> {
    if (this.index < this.entries.length) {
      return { done: false, value: this.entries[this.index++] as KeyValue<K, V> };
    }
    return { done: true, value: undefined };
  }

  peekNextKey(): K | undefined {
    return this.entries[this.index]?.key;
  }

  close(): void {
    this.index = this.entries.length;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
