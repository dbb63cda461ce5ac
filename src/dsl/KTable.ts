import type { KeyValue } from '../state/KeyValueStore.js';
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { Grouped } from './Grouped.js';
import type { KGroupedTable } from './KGroupedTable.js';
import type { KStream } from './KStream.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import type { Suppressed } from './Suppressed.js';

/**
 * A changelog stream: the latest value per key, where null deletes
 * (Kafka's `KTable`). Updates carry old values to operators that need them.
 */
export interface KTable<K, V> {
  /** Keeps entries for which the predicate is true; others become deletions downstream. */
  filter(predicate: Predicate<K, V>, materializedOrNamed?: Materialized<K, V> | Named, materialized?: Materialized<K, V>): KTable<K, V>;
  /** Keeps entries for which the predicate is false. */
  filterNot(predicate: Predicate<K, V>, materializedOrNamed?: Materialized<K, V> | Named, materialized?: Materialized<K, V>): KTable<K, V>;
  /** Maps each value; the mapper also gets the key. */
  mapValues<VR>(mapper: ValueMapper<V, VR, K>, materializedOrNamed?: Materialized<K, VR> | Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /** The stream of this table's updates (deletions as null values). */
  toStream(named?: Named): KStream<K, V>;
  /** Joins with another table on the key; a result exists while both sides have a value. */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, namedOrMaterialized?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /** Joins with another table; a result exists while this side has a value. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, namedOrMaterialized?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /** Joins with another table; a result exists while either side has a value. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, namedOrMaterialized?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  /** Re-groups the table by a new key for re-aggregation (with adder and subtractor). */
  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>;
  /** Holds back updates: until a window closes (final results of a windowed table), or until a time limit. */
  suppress(suppressed: Suppressed): KTable<K, V>;
  /** The name of the store to query, or null when the table is not queryable. */
  queryableStoreName(): string | null;
}
