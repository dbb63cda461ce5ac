/**
 * The user-function types of the DSL, with Kafka's names. Argument order
 * follows Kafka's where Kafka has one order (key before value); value-first
 * mappers take the key as an optional second argument, like Array.map's index.
 */
import type { KeyValue } from '../state/KeyValueStore.js';

/** Kafka's `Predicate`. */
export type Predicate<K, V> = (key: K, value: V) => boolean;
/** Kafka's `KeyValueMapper`. */
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;
/** Kafka's `ValueMapper` and `ValueMapperWithKey` in one: the key comes second. */
export type ValueMapper<V, VR, K = unknown> = (value: V, key: K) => VR;
/** Kafka's `ValueJoiner` and `ValueJoinerWithKey` in one: the key comes third. */
export type ValueJoiner<V1, V2, VR, K = unknown> = (value1: V1, value2: V2, key: K) => VR;
/** Kafka's `Initializer`. */
export type Initializer<VA> = () => VA;
/** Kafka's `Aggregator`: (key, value, aggregate) => new aggregate. */
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
/** Kafka's `Reducer`: (aggregate, value) => new aggregate. */
export type Reducer<V> = (aggregate: V, value: V) => V;
/** Kafka's `ForeachAction`. */
export type ForeachAction<K, V> = (key: K, value: V) => void;
/** Kafka's `Merger` (session windows). */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/** Builds a KeyValue, as Kafka's `KeyValue.pair`. */
export const KeyValues = {
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return { key, value };
  },
};
