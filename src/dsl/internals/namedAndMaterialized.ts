import type { Materialized } from '../Materialized.js';
import { Named } from '../Named.js';

/** Splits Kafka's optional (Named | Materialized, Materialized) argument pair of the aggregation and table overloads. */
export function namedAndMaterialized<K, V>(
  a?: Named | Materialized<K, V>,
  b?: Materialized<K, V>,
): { named?: Named; materialized?: Materialized<K, V> } {
  return a instanceof Named ? { named: a, materialized: b } : { materialized: a ?? b };
}
