import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { ValueMapper } from '../functions.js';

/** Maps each value to zero or more values, keeping the key. */
export function kstreamFlatMapValues<K, V, VR>(mapper: ValueMapper<V, Iterable<VR>, K>): () => Processor<K, V, K, VR> {
  return () => {
    let ctx: ProcessorContext<K, VR>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        for (const v of mapper(r.value, r.key)) ctx.forward(r.withValue(v));
      },
    };
  };
}
