import type { ProcessorContext } from '../../processor/Processor.js';
import type { Processor } from '../../processor/Processor.js';
import type { TimestampedKeyValueStore } from '../../state/Stores.js';
import type { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { Change } from './Change.js';

/** Reads a KTable's current value for a key, from its store or computed from its parent's. */
export interface KTableValueGetter<K, V> {
  init(context: ProcessorContext<unknown, unknown>): void;
  get(key: K): ValueAndTimestamp<V> | null;
}

/** Makes value getters for each task, and names the stores they read (to connect them). */
export interface KTableValueGetterSupplier<K, V> {
  get(): KTableValueGetter<K, V>;
  storeNames(): string[];
}

/** The processor supplier behind a KTable: also offers a view of its values and can send old values. */
export interface KTableProcessorSupplier<KIn, VIn, KOut, VOut> {
  get(): Processor<KIn, VIn, KOut, Change<VOut>>;
  view(): KTableValueGetterSupplier<KOut, VOut>;
  /** Asks the table to send old values downstream; returns false if it cannot without materializing. */
  enableSendingOldValues(forceMaterialization: boolean): boolean;
}

/** A value getter that reads a materialized (timestamped) store. */
export function materializedValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    get: () => {
      let store: TimestampedKeyValueStore<K, V>;
      return {
        init: (ctx) => {
          store = ctx.getStateStore(storeName);
        },
        get: (key) => store.get(key),
      };
    },
    storeNames: () => [storeName],
  };
}
