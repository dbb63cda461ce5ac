import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { Predicate } from '../functions.js';

/**
 * Sends each record to the first branch whose predicate matches, or to the
 * default branch (the child after the last predicate's) if there is one.
 * The lists are shared with the DSL so branches added later are seen.
 */
export function kstreamBranch<K, V>(predicates: Predicate<K, V>[], childNames: string[]): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        for (let i = 0; i < predicates.length; i++) {
          if ((predicates[i] as Predicate<K, V>)(r.key, r.value)) {
            ctx.forward(r, childNames[i]);
            return;
          }
        }
        if (childNames.length > predicates.length) ctx.forward(r, childNames[predicates.length]);
      },
    };
  };
}
