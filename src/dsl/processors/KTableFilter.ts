import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Predicate } from '../functions.js';
import { Change } from '../internals/Change.js';
import type { KTableParent } from '../internals/KTableParent.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/**
 * Filters a KTable. A filtered-out update becomes a tombstone, so downstream
 * drops the key; with old values on, a change from "filtered out" to
 * "filtered out" is not forwarded at all.
 */
export class KTableFilter<K, V> implements KTableProcessorSupplier<K, Change<V>, K, V> {
  sendOldValues = false;

  constructor(
    private readonly parent: KTableParent<K, V>,
    private readonly predicate: Predicate<K, V>,
    private readonly filterNot: boolean,
    private readonly queryableName: string | null,
  ) {
    // as Kafka's KTableFilter: if the parent is already materialized, send old
    // values, so that updates filtered out both before and after are not
    // forwarded as needless tombstones
    this.sendOldValues = parent.enableSendingOldValues(false);
  }

  private compute(key: K, value: V | null): V | null {
    return value !== null && value !== undefined && this.filterNot !== this.predicate(key, value) ? value : null;
  }

  enableSendingOldValues(force: boolean): boolean {
    if (this.queryableName !== null) {
      this.sendOldValues = true;
      return true;
    }
    if (this.parent.enableSendingOldValues(force)) this.sendOldValues = true;
    return this.sendOldValues;
  }

  view(): KTableValueGetterSupplier<K, V> {
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

  get(): Processor<K, Change<V>, K, Change<V>> {
    const { queryableName, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let store: TimestampedKeyValueStore<K, V> | null = null;
    let forwarder: TimestampedTupleForwarder<K, V> | null = null;
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        if (queryableName !== null) {
          const s = ctx.getStateStore<TimestampedKeyValueStore<K, V>>(queryableName);
          store = s;
          forwarder = new TimestampedTupleForwarder(s, ctx, sendOldValues);
        }
      },
      process: (r: Record<K, Change<V>>) => {
        const newValue = this.compute(r.key, r.value.newValue);
        let oldValue: V | null = null;
        if (sendOldValues) {
          oldValue = store !== null ? ValueAndTimestamp.getValueOrNull(store.get(r.key)) : this.compute(r.key, r.value.oldValue);
        }
        if (sendOldValues && oldValue === null && newValue === null) return;
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
