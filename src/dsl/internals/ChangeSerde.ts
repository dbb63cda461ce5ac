import { SerializationError } from '../../errors.js';
import type { Serde, Serializer, Deserializer } from '../../serdes/Serde.js';
import { Change } from './Change.js';

/**
 * Serde of KTable changes on the repartition topic of a KGroupedTable:
 * [flags: 1 = new present, 2 = old present][new length, int32][new][old].
 * Only kstreams reads these topics, so the layout is ours.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  const ser = inner.serializer();
  const de = inner.deserializer();
  const serializer: Serializer<Change<V>> = {
    serialize(topic, change) {
      if (change === null) return null;
      const n = change.newValue === null ? null : ser.serialize(topic, change.newValue);
      const o = change.oldValue === null ? null : ser.serialize(topic, change.oldValue);
      const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out[0] = (n !== null ? 1 : 0) | (o !== null ? 2 : 0);
      out.writeInt32BE(n?.length ?? 0, 1);
      if (n !== null) n.copy(out, 5);
      if (o !== null) o.copy(out, 5 + (n?.length ?? 0));
      return out;
    },
  };
  const deserializer: Deserializer<Change<V>> = {
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 5) throw new SerializationError(`Change record on ${topic} is too short (${data.length} bytes)`);
      const flags = data[0] as number;
      const newLen = data.readInt32BE(1);
      const newValue = flags & 1 ? de.deserialize(topic, data.subarray(5, 5 + newLen)) : null;
      const oldValue = flags & 2 ? de.deserialize(topic, data.subarray(5 + newLen)) : null;
      return new Change(newValue, oldValue);
    },
  };
  return { serializer: () => serializer, deserializer: () => deserializer };
}
