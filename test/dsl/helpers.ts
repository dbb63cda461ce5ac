/**
 * Small helpers shared by the DSL tests: compact views of output records, so
 * that expectations read as [key, value, timestamp] triples.
 */
import type { TestOutputTopic } from '../../src/index.js';

/** [key, value, timestamp] of every record left on the topic, in order. */
export function drain<K, V>(topic: TestOutputTopic<K, V>): [K | null, V | null, number][] {
  return topic.readRecordsToList().map((r) => [r.key, r.value, r.timestamp as number]);
}

/** [key, value] of every record left on the topic, in order. */
export function drainKV<K, V>(topic: TestOutputTopic<K, V>): [K | null, V | null][] {
  return topic.readKeyValuesToList().map((kv) => [kv.key, kv.value]);
}

/** The entries of a key-value store, sorted by key (as Kafka's in-memory store iterates). */
export function storeEntries<K, V>(store: { all(): Iterable<{ key: K; value: V }> } | undefined): [K, V][] {
  if (store === undefined) throw new Error('store not found');
  const out: [K, V][] = [];
  for (const kv of store.all()) out.push([kv.key, kv.value]);
  return out;
}
