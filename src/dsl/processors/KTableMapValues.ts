import type { ValueMapper } from '../functions.js';
import type { KTableParent } from '../internals/KTableParent.js';
import { KTableValueTransform } from '../internals/KTableValueTransform.js';

/** Maps the values of a KTable; null (a deletion) stays null. */
export class KTableMapValues<K, V, VR> extends KTableValueTransform<K, V, VR> {
  constructor(
    parent: KTableParent<K, V>,
    private readonly mapper: ValueMapper<V, VR, K>,
    queryableName: string | null,
  ) {
    super(parent, queryableName);
  }

  protected compute(key: K, value: V | null): VR | null {
    return value === null || value === undefined ? null : this.mapper(value, key);
  }
}
