import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { Predicate } from '../functions.js';

/** Forwards records whose predicate result differs from `filterNot`. */
export function kstreamFilter<K, V>(predicate: Predicate<K, V>, filterNot: boolean): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        if (filterNot !== predicate(r.key, r.value)) ctx.forward(r);
      },
    };
  };
}
