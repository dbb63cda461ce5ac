import type { Windowed } from '../windowing/Window.js';
import type { EmitStrategy } from './EmitStrategy.js';
import type { Aggregator, Initializer, Merger, Reducer } from './functions.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';

/** A grouped stream cut into sessions (Kafka's `SessionWindowedKStream`). */
export interface SessionWindowedKStream<K, V> {
  count(namedOrMaterialized?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  reduce(reducer: Reducer<V>, namedOrMaterialized?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>;
  /** Aggregates per session; `merger` combines two sessions' aggregates when a record bridges them. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA>;
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V>;
}
