import { Record } from '../../processor/Record.js';
import { MeteredKeyValueStore } from '../../state/internals/MeteredKeyValueStore.js';
import type { StateStore } from '../../state/StateStore.js';
import type { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from './Change.js';

/**
 * Forwards KTable updates of a materialized processor. With a caching store,
 * updates are forwarded when the cache flushes (compacted per key), from the
 * processor's own node; without one, `maybeForward` forwards right away.
 */
export class TimestampedTupleForwarder<K, V> {
  private readonly cachingEnabled: boolean;

  constructor(
    store: StateStore,
    private readonly context: InternalProcessorContext,
    private readonly sendOldValues: boolean,
  ) {
    const node = context.currentNode();
    this.cachingEnabled =
      store instanceof MeteredKeyValueStore &&
      (store as MeteredKeyValueStore<K, ValueAndTimestamp<V>>).setFlushListener((key, newVat, oldVat, rc) => {
        const prev = context.currentNode();
        context.setCurrentNode(node);
        try {
          const ts = newVat !== null ? newVat.timestamp : rc.timestamp;
          context.forward(new Record(key, new Change(newVat?.value ?? null, oldVat?.value ?? null), ts, rc.headers));
        } finally {
          context.setCurrentNode(prev);
        }
      }, sendOldValues);
  }

  maybeForward(record: Record<K, Change<V>>): void {
    if (this.cachingEnabled) return;
    this.context.forward(this.sendOldValues ? record : record.withValue(new Change(record.value.newValue, null)));
  }
}
