import { StreamsError } from '../../errors.js';
import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Aggregator, Initializer } from '../functions.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/** Aggregates a grouped table: subtracts the old value, then adds the new one (count, aggregate on KGroupedTable). */
export class KTableAggregate<K, V, VA> implements KTableProcessorSupplier<K, Change<V>, K, VA> {
  sendOldValues = false;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<VA>,
    private readonly adder: Aggregator<K, V, VA>,
    private readonly subtractor: Aggregator<K, V, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<K, VA> {
    return materializedValueGetter(this.storeName);
  }

  get(): Processor<K, Change<V>, K, Change<VA>> {
    const { storeName, initializer, adder, subtractor, sendOldValues } = this;
    let store: TimestampedKeyValueStore<K, VA>;
    let forwarder: TimestampedTupleForwarder<K, VA>;
    return {
      init: (c) => {
        const ctx = c as unknown as InternalProcessorContext;
        store = ctx.getStateStore(storeName);
        forwarder = new TimestampedTupleForwarder(store, ctx, sendOldValues);
      },
      process: (r: Record<K, Change<V>>) => {
        if (r.key === null || r.key === undefined) {
          throw new StreamsError(`Record key for KTable aggregate operator with state ${storeName} should not be null.`);
        }
        const old = store.get(r.key);
        const oldAgg = ValueAndTimestamp.getValueOrNull(old);
        let ts = r.timestamp;
        let intermediate: VA | null = oldAgg;
        if (r.value.oldValue !== null && oldAgg !== null) {
          intermediate = subtractor(r.key, r.value.oldValue, oldAgg);
          ts = Math.max(r.timestamp, (old as ValueAndTimestamp<VA>).timestamp);
        }
        let newAgg: VA | null = intermediate;
        if (r.value.newValue !== null) {
          newAgg = adder(r.key, r.value.newValue, intermediate === null ? initializer() : intermediate);
          if (old !== null) ts = Math.max(r.timestamp, old.timestamp);
        }
        store.put(r.key, ValueAndTimestamp.make(newAgg, ts));
        forwarder.maybeForward(r.withValue(new Change<VA>(newAgg, sendOldValues ? oldAgg : null)).withTimestamp(ts));
      },
    };
  }
}
