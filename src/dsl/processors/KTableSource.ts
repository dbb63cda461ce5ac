import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from '../internals/Change.js';
import { type KTableProcessorSupplier, type KTableValueGetterSupplier, materializedValueGetter } from '../internals/KTableValueGetter.js';
import { TimestampedTupleForwarder } from '../internals/TimestampedTupleForwarder.js';

/**
 * Turns a stream of upserts into table updates (builder.table, toTable,
 * global tables). Materialized only when named or when a downstream needs
 * to read it; unmaterialized, it forwards each update as is.
 */
export class KTableSource<K, V> implements KTableProcessorSupplier<K, V, K, V> {
  queryableName: string | null;
  sendOldValues = false;

  constructor(
    readonly storeName: string,
    queryableName: string | null,
  ) {
    this.queryableName = queryableName;
  }

  materialize(): void {
    this.queryableName = this.storeName;
  }

  materialized(): boolean {
    return this.queryableName !== null;
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (!forceMaterialization && !this.materialized()) return false;
    this.sendOldValues = true;
    this.queryableName = this.storeName;
    return true;
  }

  view(): KTableValueGetterSupplier<K, V> {
    this.materialize();
    return materializedValueGetter(this.storeName);
  }

  get(): Processor<K, V, K, Change<V>> {
    const queryableName = this.queryableName;
    const sendOldValues = this.sendOldValues;
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
      process: (r: Record<K, V>) => {
        if (r.key === null || r.key === undefined) {
          ctx.recordDropped('null key');
          return;
        }
        if (store === null || forwarder === null) {
          ctx.forward(r.withValue(new Change(r.value, null)));
          return;
        }
        const old = store.get(r.key);
        store.put(r.key, ValueAndTimestamp.make(r.value, r.timestamp));
        forwarder.maybeForward(r.withValue(new Change(r.value, ValueAndTimestamp.getValueOrNull(old))));
      },
    };
  }
}
