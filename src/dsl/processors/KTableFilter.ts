import type { Predicate } from '../functions.js';
import type { KTableParent } from '../internals/KTableParent.js';
import { KTableValueTransform } from '../internals/KTableValueTransform.js';

/**
 * Filters a KTable. A filtered-out update becomes a tombstone, so downstream
 * drops the key; with old values on, a change from "filtered out" to
 * "filtered out" is not forwarded at all.
 */
export class KTableFilter<K, V> extends KTableValueTransform<K, V, V> {
  constructor(
    parent: KTableParent<K, V>,
    private readonly predicate: Predicate<K, V>,
    private readonly filterNot: boolean,
    queryableName: string | null,
  ) {
    super(parent, queryableName);
    // as Kafka's KTableFilter: if the parent is already materialized, send old
    // values, so that updates filtered out both before and after are not
    // forwarded as needless tombstones
    this.sendOldValues = parent.enableSendingOldValues(false);
  }

  protected compute(key: K, value: V | null): V | null {
    return value !== null && value !== undefined && this.filterNot !== this.predicate(key, value) ? value : null;
  }

  protected override skip(newValue: V | null, oldValue: V | null): boolean {
    return this.sendOldValues && oldValue === null && newValue === null;
  }
}
