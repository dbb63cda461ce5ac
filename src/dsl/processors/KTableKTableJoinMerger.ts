import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/** Merges the two sides' results of a table-table join into one table (and materializes it if asked). */
export class KTableKTableJoinMerger<K, VR> implements KTableProcessorSupplier<K, Change<VR>, K, VR> {
  sendOldValues = false;

  constructor(
    private readonly parent1: KTableProcessorSupplier<K, unknown, K, VR>,
    private readonly parent2: KTableProcessorSupplier<K, unknown, K, VR>,
    private readonly queryableName: string | null,
  ) {}

  enableSendingOldValues(): boolean {
    this.parent1.enableSendingOldValues(true);
    this.parent2.enableSendingOldValues(true);
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<K, VR> {
    if (this.queryableName !== null) return materializedValueGetter(this.queryableName);
    const v1 = this.parent1.view();
    const v2 = this.parent2.view();
    return { get: () => v1.get(), storeNames: () => [...new Set([...v1.storeNames(), ...v2.storeNames()])] };
  }

  get(): Processor<K, Change<VR>, K, Change<VR>> {
    const { queryableName, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let store: TimestampedKeyValueStore<K, VR> | null = null;
    let forwarder: TimestampedTupleForwarder<K, VR> | null = null;
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        if (queryableName !== null) {
          const s = ctx.getStateStore<TimestampedKeyValueStore<K, VR>>(queryableName);
          store = s;
          forwarder = new TimestampedTupleForwarder(s, ctx, sendOldValues);
        }
      },
      process: (r: Record<K, Change<VR>>) => {
        if (store !== null && forwarder !== null) {
          store.put(r.key, ValueAndTimestamp.make(r.value.newValue, r.timestamp));
          forwarder.maybeForward(r);
        } else if (sendOldValues) {
          ctx.forward(r);
        } else {
          ctx.forward(r.withValue(new Change(r.value.newValue, null)));
        }
      },
    };
  }
}
