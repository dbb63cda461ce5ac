import type { SessionWindows } from '../windowing/SessionWindows.js';
import type { SlidingWindows } from '../windowing/SlidingWindows.js';
import type { TimeWindows } from '../windowing/TimeWindows.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { SessionWindowedKStream } from './SessionWindowedKStream.js';
import type { TimeWindowedKStream } from './TimeWindowedKStream.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';

/** A stream grouped by key, ready to aggregate (Kafka's `KGroupedStream`). */
export interface KGroupedStream<K, V> {
  /** Counts records per key (null keys and values are skipped). */
  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number>;
  /** Combines the values of a key; the first value is the start. */
  reduce(reducer: Reducer<V>, namedOrMaterialized?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V>;
  /** Folds the values of a key into an aggregate that starts from `initializer()`. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA>;
  /** Windows the aggregation: tumbling/hopping (TimeWindows), sliding (SlidingWindows) or sessions. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
}
