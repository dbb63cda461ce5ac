import type { Headers } from '../processor/Headers.js';

/** Turns a value into bytes. `null` stays `null` (a tombstone or a null key). */
export interface Serializer<T> {
  serialize(topic: string, data: T | null, headers?: Headers): Buffer | null;
}

/** Turns bytes back into a value. `null` bytes give `null`. */
export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null, headers?: Headers): T | null;
}

/** A serializer and deserializer pair for one type, as in Kafka's `Serde<T>`. */
export interface Serde<T> {
  serializer(): Serializer<T>;
  deserializer(): Deserializer<T>;
}

/** Builds a Serde from two plain functions; both receive and return non-null data. */
export function serdeFrom<T>(
  serialize: (data: T, topic: string) => Buffer,
  deserialize: (data: Buffer, topic: string) => T,
): Serde<T> {
  const serializer: Serializer<T> = {
    serialize: (topic, data) => (data === null || data === undefined ? null : serialize(data, topic)),
  };
  const deserializer: Deserializer<T> = {
    deserialize: (topic, data) => (data === null || data === undefined ? null : deserialize(data, topic)),
  };
  return { serializer: () => serializer, deserializer: () => deserializer };
}
