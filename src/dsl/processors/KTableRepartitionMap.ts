import { StreamsError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { KeyValue } from '../../state/KeyValueStore.js';
import type { KeyValueMapper } from '../functions.js';
import { Change } from '../internals/Change.js';

/**
 * Re-keys KTable updates for KTable.groupBy: the old value is sent to its
 * old group (to be subtracted) and the new value to its new group (to be
 * added); when both land in the same group they travel as one change.
 */
export function ktableRepartitionMap<K, V, KR, VR>(
  mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>,
): () => Processor<K, Change<V>, KR, Change<VR>> {
  return () => {
    let ctx: ProcessorContext<KR, Change<VR>>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, Change<V>>) => {
        if (r.key === null || r.key === undefined) throw new StreamsError('Record key for the grouping KTable should not be null.');
        const newPair = r.value.newValue === null ? null : mapper(r.key, r.value.newValue);
        const oldPair = r.value.oldValue === null ? null : mapper(r.key, r.value.oldValue);
        const oldOk = oldPair !== null && oldPair.key !== null && oldPair.key !== undefined && oldPair.value !== null && oldPair.value !== undefined;
        const newOk = newPair !== null && newPair.key !== null && newPair.key !== undefined && newPair.value !== null && newPair.value !== undefined;
        if (oldOk && newOk && sameKey(oldPair.key, newPair.key)) {
          ctx.forward(r.withKey(oldPair.key).withValue(new Change(newPair.value, oldPair.value)));
          return;
        }
        if (oldOk) ctx.forward(r.withKey(oldPair.key).withValue(new Change<VR>(null, oldPair.value)));
        if (newOk) ctx.forward(r.withKey(newPair.key).withValue(new Change<VR>(newPair.value, null)));
      },
    };
  };
}

/** Key equality as Java's equals() would see it for the usual key types. */
function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
