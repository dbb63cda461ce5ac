/**
 * Turns changelog records back into store writes, per store type.
 *
 * Kafka restores into the bottom (bytes) store through a restore callback the store
 * registers. kstreams' stores offer no such callback yet, and the runtime may not reach
 * into their layers, so restoration writes through the store's typed top layer: the
 * changelog's key and value bytes are deserialized with the store's serdes and put, while
 * the task's collector is muted (nothing is logged again) and before any processor is
 * initialised (nothing is forwarded: caches have no flush listener yet; the restorer
 * flushes them afterwards, straight into the bottom store). The cost is a serde round
 * trip per restored record; a byte-level restore callback in src/state would remove it.
 *
 * Changelog layouts (the same as Kafka's, so they are interchangeable):
 * - key-value: key and value as stored; timestamped stores drop their 8-byte timestamp
 *   from the value and carry it as the record timestamp;
 * - window: key [key][windowStart: int64][seqnum: int32], value as key-value;
 * - session: key [key][end: int64][start: int64], value the aggregate; null removes;
 * - suppression buffer: key as buffered, value Kafka's BufferValue plus the buffer time
 *   (header v=3), a tombstone for an evicted key; the buffer parses it itself (restore());
 * - outer stream-stream join store: key [timestamp: int64][left side: byte][key], value the
 *   key's whole list of unmatched values (a ListSerde of LeftOrRightValue); null removes.
 */
import { OuterJoinStoreBuilder } from '../../dsl/internals/OuterJoinStore.js';
import { type SuppressionBuffer, SuppressionBufferBuilder } from '../../dsl/internals/SuppressionBuffer.js';
import type { Serde } from '../../serdes/Serde.js';
import { parseSessionStoreKey } from '../../state/internals/SessionKeySchema.js';
import { parseWindowStoreKey } from '../../state/internals/WindowKeySchema.js';
import type { KeyValueStore } from '../../state/KeyValueStore.js';
import type { StateStore } from '../../state/StateStore.js';
import type { StoreBuilder } from '../../state/StoreBuilder.js';
import { KeyValueStoreBuilder, SessionStoreBuilder, WindowStoreBuilder } from '../../state/Stores.js';
import type { SessionStore, WindowStore } from '../../state/WindowStore.js';
import { Window, Windowed } from '../../windowing/Window.js';
import type { RawRecord } from '../task/RawRecord.js';

/** Applies one changelog record to a store. */
export type RestoreFn = (record: RawRecord) => void;

/**
 * The restore function of a store, or null when kstreams cannot restore this kind of
 * store (a store built by a builder it does not know: it then starts empty, and the
 * caller warns).
 */
export function restorerFor(
  store: StateStore,
  builder: StoreBuilder<StateStore> | undefined,
  changelogTopic: string,
  defaults: { keySerde: Serde<unknown>; valueSerde: Serde<unknown> },
): RestoreFn | null {
  if (builder instanceof KeyValueStoreBuilder) {
    const { key, value } = deserializers(builder, changelogTopic, defaults);
    const kv = store as KeyValueStore<unknown, unknown>;
    if (builder.kind === 'timestampedKeyValue') {
      return (r) => kv.put(key(r.key), r.value === null ? null : { value: value(r.value), timestamp: r.timestamp });
    }
    return (r) => kv.put(key(r.key), r.value === null ? null : value(r.value));
  }
  if (builder instanceof WindowStoreBuilder) {
    const { key, value } = deserializers(builder, changelogTopic, defaults);
    const ws = store as WindowStore<unknown, unknown>;
    const timestamped = builder.kind === 'timestampedWindow';
    return (r) => {
      const parts = parseWindowStoreKey(r.key as Buffer);
      const v = r.value === null ? null : timestamped ? { value: value(r.value), timestamp: r.timestamp } : value(r.value);
      ws.put(key(parts.key), v, parts.windowStart);
    };
  }
  if (builder instanceof SessionStoreBuilder) {
    const { key, value } = deserializers(builder, changelogTopic, defaults);
    const ss = store as SessionStore<unknown, unknown>;
    return (r) => {
      const parts = parseSessionStoreKey(r.key as Buffer);
      const windowed = new Windowed(key(parts.key), new Window(parts.start, parts.end));
      if (r.value === null) ss.remove(windowed);
      else ss.put(windowed, value(r.value));
    };
  }
  if (builder instanceof SuppressionBufferBuilder) {
    const buffer = store as SuppressionBuffer<unknown, unknown>;
    return (r) => buffer.restore(r);
  }
  if (builder instanceof OuterJoinStoreBuilder) {
    const { key, value } = (builder as OuterJoinStoreBuilder<unknown, unknown, unknown>).changelogDecoder(changelogTopic, defaults);
    const kv = store as KeyValueStore<unknown, unknown>;
    return (r) => kv.put(key(r.key as Buffer), r.value === null ? null : value(r.value));
  }
  return null;
}

function deserializers(
  builder: { keySerde: Serde<any> | null; valueSerde: Serde<any> | null },
  topic: string,
  defaults: { keySerde: Serde<unknown>; valueSerde: Serde<unknown> },
): { key: (b: Buffer | null) => unknown; value: (b: Buffer) => unknown } {
  const kd = (builder.keySerde ?? defaults.keySerde).deserializer();
  const vd = (builder.valueSerde ?? defaults.valueSerde).deserializer();
  return { key: (b) => kd.deserialize(topic, b), value: (b) => vd.deserialize(topic, b) };
}
