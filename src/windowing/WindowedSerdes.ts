import { SerializationError } from '../errors.js';
import { readLong, writeLong } from '../state/internals/Bytes.js';
import type { Deserializer, Serde, Serializer } from '../serdes/Serde.js';
import { Window, Windowed } from './Window.js';

/**
 * Serdes for windowed keys in Kafka Streams' byte layouts, so Java consumers
 * can read what kstreams writes: time windows are [key][start: int64];
 * session windows are [key][end: int64][start: int64].
 */
export const WindowedSerdes = {
  /** Time-windowed keys. The window end is start + `windowSizeMs` (Long.MAX_VALUE-like end if unknown). */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    const ser = inner.serializer();
    const de = inner.deserializer();
    const serializer: Serializer<Windowed<K>> = {
      serialize(topic, w) {
        if (w === null) return null;
        const k = ser.serialize(topic, w.key);
        if (k === null) throw new SerializationError('The key of a windowed key must not serialize to null');
        const out = Buffer.allocUnsafe(k.length + 8);
        k.copy(out, 0);
        writeLong(out, k.length, w.window.start);
        return out;
      },
    };
    const deserializer: Deserializer<Windowed<K>> = {
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 8) throw new SerializationError(`A time-windowed key needs at least 8 bytes, got ${data.length}`);
        const start = readLong(data, data.length - 8);
        const key = de.deserialize(topic, data.subarray(0, data.length - 8)) as K;
        return new Windowed(key, new Window(start, Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER)));
      },
    };
    return { serializer: () => serializer, deserializer: () => deserializer };
  },

  /** Session-windowed keys. */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    const ser = inner.serializer();
    const de = inner.deserializer();
    const serializer: Serializer<Windowed<K>> = {
      serialize(topic, w) {
        if (w === null) return null;
        const k = ser.serialize(topic, w.key);
        if (k === null) throw new SerializationError('The key of a windowed key must not serialize to null');
        const out = Buffer.allocUnsafe(k.length + 16);
        k.copy(out, 0);
        writeLong(out, k.length, w.window.end);
        writeLong(out, k.length + 8, w.window.start);
        return out;
      },
    };
    const deserializer: Deserializer<Windowed<K>> = {
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 16) throw new SerializationError(`A session-windowed key needs at least 16 bytes, got ${data.length}`);
        const end = readLong(data, data.length - 16);
        const start = readLong(data, data.length - 8);
        return new Windowed(de.deserialize(topic, data.subarray(0, data.length - 16)) as K, new Window(start, end));
      },
    };
    return { serializer: () => serializer, deserializer: () => deserializer };
  },
};
