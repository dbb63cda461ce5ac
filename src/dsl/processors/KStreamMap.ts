import { IllegalArgumentError } from '../../errors.js';
import type { Processor, ProcessorContext } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { KeyValue } from '../../state/KeyValueStore.js';
import type { KeyValueMapper } from '../functions.js';

/** Maps each record to a new key and value (map, and selectKey). */
export function kstreamMap<K, V, KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>): () => Processor<K, V, KR, VR> {
  return () => {
    let ctx: ProcessorContext<KR, VR>;
    return {
      init: (c) => {
        ctx = c;
      },
      process: (r: Record<K, V>) => {
        const kv = mapper(r.key, r.value);
        if (kv === null || kv === undefined) {
          throw new IllegalArgumentError('The mapper of map() returned null; return a KeyValue ({ key, value }) for every record');
        }
        ctx.forward(r.withKey(kv.key).withValue(kv.value));
      },
    };
  };
}
