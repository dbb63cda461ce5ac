import type { KTableValueGetterSupplier } from './KTableValueGetter.js';

/** What a KTable processor needs from the table it reads: a view of its values, and old values on request. */
export interface KTableParent<K, V> {
  valueGetterSupplier(): KTableValueGetterSupplier<K, V>;
  enableSendingOldValues(forceMaterialization: boolean): boolean;
}
