import type { Windowed } from '../windowing/Window.js';
import type { EmitStrategy } from './EmitStrategy.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';

/** A grouped stream cut into time or sliding windows (Kafka's `TimeWindowedKStream`). */
export interface TimeWindowedKStream<K, V> {
  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, namedOrMaterialized?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA>;
  /** Emit on every update (default) or only final results once a window closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V>;
}
