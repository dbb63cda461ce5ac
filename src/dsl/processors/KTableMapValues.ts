import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { ValueMapper } from '../functions.js';
import { Change } from '../internals/Change.js';
import type { KTableParent } from '../internals/KTableParent.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/** Maps the values of a KTable; null (a deletion) stays null. */
export class KTableMapValues<K, V, VR> implements KTableProcessorSupplier<K, Change<V>, K, VR> {
  sendOldValues = false;

  constructor(
    private readonly parent: KTableParent<K, V>,
    private readonly mapper: ValueMapper<V, VR, K>,
    private readonly queryableName: string | null,
  ) {}

  private compute(key: K, value: V | null): VR | null {
    return value === null || value === undefined ? null : this.mapper(value, key);
  }

  enableSendingOldValues(force: boolean): boolean {
    if (this.queryableName !== null) {
      this.sendOldValues = true;
      return true;
    }
    if (this.parent.enableSendingOldValues(force)) this.sendOldValues = true;
    return this.sendOldValues;
  }

  view(): KTableValueGetterSupplier<K, VR> {
    if (this.queryableName !== null) return materializedValueGetter(this.queryableName);
    const parentGetter = this.parent.valueGetterSupplier();
    return {
      get: () => {
        const g = parentGetter.get();
        return {
          init: (ctx) => g.init(ctx),
          get: (key) => {
            const vat = g.get(key);
            return vat === null ? null : ValueAndTimestamp.make(this.compute(key, vat.value), vat.timestamp);
          },
        };
      },
      storeNames: () => parentGetter.storeNames(),
    };
  }

  get(): Processor<K, Change<V>, K, Change<VR>> {
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
      process: (r: Record<K, Change<V>>) => {
        const newValue = this.compute(r.key, r.value.newValue);
        let oldValue: VR | null = null;
        if (sendOldValues) {
          oldValue = store !== null ? ValueAndTimestamp.getValueOrNull(store.get(r.key)) : this.compute(r.key, r.value.oldValue);
        }
        if (store !== null && forwarder !== null) {
          store.put(r.key, ValueAndTimestamp.make(newValue, r.timestamp));
          forwarder.maybeForward(r.withValue(new Change(newValue, oldValue)));
        } else {
          ctx.forward(r.withValue(new Change(newValue, oldValue)));
        }
      },
    };
  }
}
