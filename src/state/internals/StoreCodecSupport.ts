import { SerializationError } from '../../errors.js';
import type { Serializer } from '../../serdes/Serde.js';
import type { KeyValue, KeyValueIterator } from '../KeyValueStore.js';

/**
 * Helpers the typed (metered) window and session layers share, with the same
 * errors and messages as MeteredKeyValueStore so that every store type fails
 * the same way on null keys and on values that no longer deserialize.
 */

export function encodeStoreKey<K>(storeName: string, serializer: Serializer<K>, topic: string, key: K): Buffer {
  if (key === null || key === undefined) throw new SerializationError(`Store ${storeName} does not accept null keys`);
  const kb = serializer.serialize(topic, key);
  if (kb === null) throw new SerializationError(`Key serializer of store ${storeName} returned null for key ${String(key)}`);
  return kb;
}

/** The error for a stored value that fails to deserialize; `shownKey` says which entry (key and window). */
export function valueDecodeError(storeName: string, shownKey: string, cause: unknown): SerializationError {
  return new SerializationError(
    `Store ${storeName}: the value of key ${shownKey} does not deserialize with the store's value serde (${(cause as Error).message}). ` +
      'Check that the serde matches the one the data was written with, or reset the application state.',
    { cause },
  );
}

/** A key for error messages: the deserialized key if it deserializes, else its bytes in hex. */
export function showKey(decode: () => unknown, bytes: Buffer): string {
  try {
    return String(decode());
  } catch {
    return bytes.toString('hex');
  }
}

/**
 * An iterator over a snapshot of byte entries that deserializes each entry as
 * it is reached, so a bad value fails at that entry, not when the read starts.
 */
export function decodingIterator<E, K, V>(entries: readonly E[], toKey: (e: E) => K, toValue: (e: E) => V): KeyValueIterator<K, V> {
  let index = 0;
  return {
    next(): IteratorResult<KeyValue<K, V>> {
      if (index >= entries.length) return { done: true, value: undefined };
      const e = entries[index++] as E;
      return { done: false, value: { key: toKey(e), value: toValue(e) } };
    },
    peekNextKey(): K | undefined {
      return index < entries.length ? toKey(entries[index] as E) : undefined;
    },
    close(): void {
      index = entries.length;
    },
    [Symbol.iterator]() {
      return this;
    },
  };
}
