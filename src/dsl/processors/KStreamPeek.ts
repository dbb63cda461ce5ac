import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { ForeachAction } from '../functions.js';

/** Calls an action on each record; `forward` decides between peek (true) and foreach (false). */
export function kstreamPeek<K, V>(action: ForeachAction<K, V>, forward: boolean): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        action(r.key, r.value);
        if (forward) ctx.forward(r);
      },
    };
  };
}
