import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { KeyValueMapper } from '../functions.js';
import type { KTableValueGetter, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';

/**
 * Joins each stream record with the table's current value for its key (or,
 * for a GlobalKTable, for the key the key selector picks). Records with a
 * null join key or null value are dropped; a left join keeps a null-keyed
 * record and joins it with null.
 */
export function kstreamKTableJoin<K, V, KT, VT, VR>(
  getterSupplier: KTableValueGetterSupplier<KT, VT>,
  keyMapper: KeyValueMapper<K, V, KT>,
  joiner: (value: V, tableValue: VT | null, key: K) => VR,
  leftJoin: boolean,
): () => Processor<K, V, K, VR> {
  return () => {
    let ctx: InternalProcessorContext;
    let getter: KTableValueGetter<KT, VT>;
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        getter = getterSupplier.get();
        getter.init(c);
      },
      process: (r: Record<K, V>) => {
        const nullKeyOk = leftJoin && (r.key === null || r.key === undefined) && r.value !== null && r.value !== undefined;
        const mappedKey = keyMapper(r.key, r.value);
        if (!nullKeyOk && (mappedKey === null || mappedKey === undefined || r.value === null || r.value === undefined)) {
          ctx.recordDropped('null join key or value');
          return;
        }
        const tableValue = mappedKey === null || mappedKey === undefined ? null : (getter.get(mappedKey)?.value ?? null);
        if (leftJoin || tableValue !== null) ctx.forward(r.withValue(joiner(r.value, tableValue, r.key)));
      },
    };
  };
}
