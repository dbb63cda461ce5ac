import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { WindowStore } from '../../state/WindowStore.js';

/**
 * First step of a stream-stream join on each side: passes the record on,
 * then keeps it in this side's window store (one window per record) for the
 * other side to find. Null-keyed records are never stored.
 */
export function kstreamJoinWindow<K, V>(storeName: string): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    let store: WindowStore<K, V>;
    return {
      init: (c) => {
        ctx = c;
        store = c.getStateStore(storeName);
      },
      process: (r: Record<K, V>) => {
        ctx.forward(r);
        if (r.key !== null && r.key !== undefined) store.put(r.key, r.value, r.timestamp);
      },
    };
  };
}
