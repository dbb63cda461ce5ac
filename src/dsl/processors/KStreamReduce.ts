import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Reducer } from '../functions.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/** Reduces a grouped stream per key; the first value of a key is its aggregate as is. */
export class KStreamReduce<K, V> implements KTableProcessorSupplier<K, V, K, V> {
  sendOldValues = false;

  constructor(
    private readonly storeName: string,
    private readonly reducer: Reducer<V>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<K, V> {
    return materializedValueGetter(this.storeName);
  }

  get(): Processor<K, V, K, Change<V>> {
    const { storeName, reducer, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let store: TimestampedKeyValueStore<K, V>;
    let forwarder: TimestampedTupleForwarder<K, V>;
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        store = ctx.getStateStore(storeName);
        forwarder = new TimestampedTupleForwarder(store, ctx, sendOldValues);
      },
      process: (r: Record<K, V>) => {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) {
          ctx.recordDropped('null key or value');
          return;
        }
        const old = store.get(r.key);
        const oldAgg = ValueAndTimestamp.getValueOrNull(old);
        let newAgg: V;
        let ts: number;
        if (oldAgg === null) {
          newAgg = r.value;
          ts = r.timestamp;
        } else {
          newAgg = reducer(oldAgg, r.value);
          ts = Math.max(r.timestamp, (old as ValueAndTimestamp<V>).timestamp);
        }
        store.put(r.key, ValueAndTimestamp.make(newAgg, ts));
        forwarder.maybeForward(r.withValue(new Change<V>(newAgg, sendOldValues ? oldAgg : null)).withTimestamp(ts));
      },
    };
  }
}
