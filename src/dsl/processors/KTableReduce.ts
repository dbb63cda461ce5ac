import { StreamsError } from '../../errors.js';
import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Reducer } from '../functions.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/** Reduces a grouped table with an adder and a subtractor (reduce on KGroupedTable). */
export class KTableReduce<K, V> implements KTableProcessorSupplier<K, Change<V>, K, V> {
  sendOldValues = false;

  constructor(
    private readonly storeName: string,
    private readonly adder: Reducer<V>,
    private readonly subtractor: Reducer<V>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<K, V> {
    return materializedValueGetter(this.storeName);
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    const { storeName, adder, subtractor, sendOldValues } = this;
    let store: TimestampedKeyValueStore<K, V>;
    let forwarder: TimestampedTupleForwarder<K, V>;
    return {
      init: (c) => {
        const ctx = c as unknown as InternalProcessorContext;
        store = ctx.getStateStore(storeName);
        forwarder = new TimestampedTupleForwarder(store, ctx, sendOldValues);
      },
      process: (r: Record<K, Change<V>>) => {
        if (r.key === null || r.key === undefined) {
          throw new StreamsError(`Record key for KTable reduce operator with state ${storeName} should not be null.`);
        }
        const old = store.get(r.key);
        const oldAgg = ValueAndTimestamp.getValueOrNull(old);
        let intermediate: V | null;
        let ts: number;
        if (r.value.oldValue !== null && oldAgg !== null) {
          intermediate = subtractor(oldAgg, r.value.oldValue);
          ts = Math.max(r.timestamp, (old as ValueAndTimestamp<V>).timestamp);
        } else {
          intermediate = oldAgg;
          ts = r.timestamp;
        }
        let newAgg: V | null = intermediate;
        if (r.value.newValue !== null) {
          if (intermediate === null) {
            newAgg = r.value.newValue;
          } else {
            newAgg = adder(intermediate, r.value.newValue);
            ts = Math.max(r.timestamp, (old as ValueAndTimestamp<V>).timestamp);
          }
        }
        store.put(r.key, ValueAndTimestamp.make(newAgg, ts));
        forwarder.maybeForward(r.withValue(new Change<V>(newAgg, sendOldValues ? oldAgg : null)).withTimestamp(ts));
      },
    };
  }
}
