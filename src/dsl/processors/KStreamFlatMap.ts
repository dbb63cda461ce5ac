import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { KeyValue } from '../../state/KeyValueStore.js';
import type { KeyValueMapper } from '../functions.js';

/** Maps each record to zero or more records with new keys and values. */
export function kstreamFlatMap<K, V, KR, VR>(
  mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>,
): () => Processor<K, V, KR, VR> {
  return () => {
    let ctx: ProcessorContext<KR, VR>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        for (const kv of mapper(r.key, r.value)) ctx.forward(r.withKey(kv.key).withValue(kv.value));
      },
    };
  };
}
