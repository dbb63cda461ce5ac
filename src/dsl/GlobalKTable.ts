import type { KTableValueGetterSupplier } from './internals/KTableValueGetter.js';

/** A table fully replicated to every instance, joinable by any key (Kafka's `GlobalKTable`). */
export interface GlobalKTable<K, V> {
  /** The name of its store, always queryable. */
  queryableStoreName(): string;
  /** @internal */
  valueGetterSupplier(): KTableValueGetterSupplier<K, V>;
}
