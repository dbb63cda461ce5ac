import { readLong, writeLong } from './Bytes.js';
import type { Deserializer, Serde, Serializer } from '../../serdes/Serde.js';
import type { ValueAndTimestamp } from '../ValueAndTimestamp.js';
import type { ValueCodec } from './MeteredKeyValueStore.js';

/** Kafka's ValueAndTimestamp byte layout: 8-byte big-endian timestamp, then the serialized value. */
export function timestampedCodec<V>(serde: Serde<unknown>): ValueCodec<ValueAndTimestamp<V>> {
  const ser = serde.serializer() as Serializer<V>;
  const de = serde.deserializer() as Deserializer<V>;
  return {
    encode(topic, vat) {
      const raw = ser.serialize(topic, vat.value);
      if (raw === null) return null;
      const out = Buffer.allocUnsafe(8 + raw.length);
      writeLong(out, 0, vat.timestamp);
      raw.copy(out, 8);
      return out;
    },
    decode(topic, bytes) {
      const timestamp = readLong(bytes, 0);
      return { value: de.deserialize(topic, bytes.subarray(8)) as V, timestamp };
    },
  };
}
