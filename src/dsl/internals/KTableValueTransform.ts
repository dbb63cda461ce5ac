import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from './Change.js';
import type { KTableParent } from './KTableParent.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from './KTableValueGetter.js';
import { TimestampedTupleForwarder } from './TimestampedTupleForwarder.js';

/**
 * What KTable filter and mapValues share (as Kafka's KTableFilter and
 * KTableMapValues do): a per-value function applied to new and old values,
 * an optional store (when the result is materialized), old values on request,
 * and a view that applies the function to the parent's view when not materialized.
 */
export abstract class KTableValueTransform<K, V, VR> implements KTableProcessorSupplier<K, Change<V>, K, VR> {
  sendOldValues = false;

  constructor(
    protected readonly parent: KTableParent<K, V>,
    protected readonly queryableName: string | null,
  ) {}

  /** The function: null (a deletion) maps to null. */
  protected abstract compute(key: K, value: V | null): VR | null;

  /** Whether to drop an update; filter drops "absent before and after" when it sends old values. */
  protected skip(_newValue: VR | null, _oldValue: VR | null): boolean {
    return false;
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
        if (this.skip(newValue, oldValue)) return;
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
