import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { ValueMapper } from '../functions.js';

/** Maps each value, keeping the key (mapValues, and KTable.toStream). */
export function kstreamMapValues<K, V, VR>(mapper: ValueMapper<V, VR, K>): () => Processor<K, V, K, VR> {
  return () => {
    let ctx: ProcessorContext<K, VR>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        ctx.forward(r.withValue(mapper(r.value, r.key)));
      },
    };
  };
}
