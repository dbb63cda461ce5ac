import { Record } from '../../processor/Record.js';
import type { RecordContext, StateStore } from '../../state/StateStore.js';
import type { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from './Change.js';

/** A typed store top layer that can report flushed cache entries (key-value, window and session stores). */
export interface FlushListenable<K, V> {
  setFlushListener(
    listener: (key: K, newValue: ValueAndTimestamp<V> | null, oldValue: ValueAndTimestamp<V> | null, context: RecordContext) => void,
    sendOldValues: boolean,
  ): boolean;
}

/**
 * Forwards KTable updates of a materialized processor. With a caching store,
 * updates are forwarded when the cache flushes (compacted per key), from the
 * processor's own node; without one, `maybeForward` forwards right away.
 */
export class TimestampedTupleForwarder<K, V> {
  private readonly cachingEnabled: boolean;

  /** `store` null: no cache, forward at once (e.g. final window results). */
  constructor(
    store: StateStore | null,
    private readonly context: InternalProcessorContext,
    private readonly sendOldValues: boolean,
    /** Session stores hold plain values: their flushed updates carry the writer's record timestamp. */
    timestampedValues = true,
  ) {
    const node = context.currentNode();
    const listenable = (store ?? {}) as Partial<FlushListenable<K, V>>;
    this.cachingEnabled =
      typeof listenable.setFlushListener === 'function' &&
      listenable.setFlushListener((key, newVat, oldVat, rc) => {
        const prev = context.currentNode();
        context.setCurrentNode(node);
        try {
          if (timestampedValues) {
            const ts = newVat !== null ? newVat.timestamp : rc.timestamp;
            context.forward(new Record(key, new Change(newVat?.value ?? null, oldVat?.value ?? null), ts, rc.headers));
          } else {
            context.forward(new Record(key, new Change(newVat as V | null, oldVat as V | null), rc.timestamp, rc.headers));
          }
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
