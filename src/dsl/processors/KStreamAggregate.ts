import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Aggregator, Initializer } from '../functions.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/**
 * Aggregates a grouped stream per key (count, aggregate). Records with a null
 * key or value are dropped. The result timestamp is the max of the input's
 * and the previous aggregate's.
 */
export class KStreamAggregate<K, V, VA> implements KTableProcessorSupplier<K, V, K, VA> {
  sendOldValues = false;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<K, VA> {
    return materializedValueGetter(this.storeName);
  }

  get(): Processor<K, V, K, Change<VA>> {
    const { storeName, initializer, aggregator, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let store: TimestampedKeyValueStore<K, VA>;
    let forwarder: TimestampedTupleForwarder<K, VA>;
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
        let oldAgg = ValueAndTimestamp.getValueOrNull(old);
        let ts = r.timestamp;
        if (oldAgg === null) {
          oldAgg = initializer();
        } else {
          ts = Math.max(r.timestamp, (old as ValueAndTimestamp<VA>).timestamp);
        }
        const newAgg = aggregator(r.key, r.value, oldAgg);
        store.put(r.key, ValueAndTimestamp.make(newAgg, ts));
        forwarder.maybeForward(r.withValue(new Change<VA>(newAgg, sendOldValues ? oldAgg : null)).withTimestamp(ts));
      },
    };
  }
}
