import type { GlobalKTable } from './GlobalKTable.js';
import { type KTableValueGetterSupplier, materializedValueGetter } from './internals/KTableValueGetter.js';

/** A GlobalKTable: its store, read by joins through a value getter. */
export class GlobalKTableImpl<K, V> implements GlobalKTable<K, V> {
  constructor(private readonly storeName: string) {}

  queryableStoreName(): string {
    return this.storeName;
  }

  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    return materializedValueGetter(this.storeName);
  }
}
