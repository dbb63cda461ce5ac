import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';

/** Forwards every record unchanged (merge, split branches, repartition filters). */
export function passThrough<K, V>(): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => ctx.forward(r),
    };
  };
}
