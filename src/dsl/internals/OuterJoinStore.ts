import { SerializationError } from '../../errors.js';
import type { Deserializer, Serde, Serializer } from '../../serdes/Serde.js';
import { ChangeLoggingKeyValueStore, PLAIN_CHANGELOG_FORMAT } from '../../state/internals/ChangeLoggingKeyValueStore.js';
import { readLong, writeLong } from '../../state/internals/Bytes.js';
import { InMemoryKeyValueStore } from '../../state/internals/InMemoryKeyValueStore.js';
import { MeteredKeyValueStore, type ValueCodec } from '../../state/internals/MeteredKeyValueStore.js';
import type { KeyValueStore } from '../../state/KeyValueStore.js';
import { AbstractStoreBuilder } from '../../state/StoreBuilder.js';

/** Key of the outer-join store: sorted by timestamp, then side (right before left), then key. */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/** One side's value of a not-yet-joined record. */
export interface LeftOrRightValue<VL, VR> {
  readonly left: VL | null;
  readonly right: VR | null;
}

/** The store value: every not-yet-joined record with this timestamp, side and key (Kafka's ListValueStore). */
export type OuterJoinValues<VL, VR> = LeftOrRightValue<VL, VR>[];

export type OuterJoinStore<K, VL, VR> = KeyValueStore<TimestampedKeyAndJoinSide<K>, OuterJoinValues<VL, VR>>;

function keySerde<K>(inner: Serde<K>): Serde<TimestampedKeyAndJoinSide<K>> {
  const ser = inner.serializer();
  const de = inner.deserializer();
  const serializer: Serializer<TimestampedKeyAndJoinSide<K>> = {
    serialize(topic, k) {
      if (k === null) return null;
      const kb = ser.serialize(topic, k.key) as Buffer;
      const out = Buffer.allocUnsafe(9 + kb.length);
      writeLong(out, 0, k.timestamp);
      out[8] = k.leftSide ? 1 : 0;
      kb.copy(out, 9);
      return out;
    },
  };
  const deserializer: Deserializer<TimestampedKeyAndJoinSide<K>> = {
    deserialize(topic, b) {
      if (b === null) return null;
      return { timestamp: readLong(b, 0), leftSide: b[8] === 1, key: de.deserialize(topic, b.subarray(9)) as K };
    },
  };
  return { serializer: () => serializer, deserializer: () => deserializer };
}

/** [count int32] then per value [side byte][length int32][bytes]. */
function listCodec<VL, VR>(left: Serde<VL>, right: Serde<VR>): ValueCodec<OuterJoinValues<VL, VR>> {
  const ls = left.serializer();
  const rs = right.serializer();
  const ld = left.deserializer();
  const rd = right.deserializer();
  return {
    encode(topic, list) {
      const parts = list.map((v) => {
        const isLeft = v.left !== null;
        const bytes = (isLeft ? ls.serialize(topic, v.left) : rs.serialize(topic, v.right)) ?? Buffer.alloc(0);
        const head = Buffer.allocUnsafe(5);
        head[0] = isLeft ? 1 : 0;
        head.writeInt32BE(bytes.length, 1);
        return Buffer.concat([head, bytes]);
      });
      const count = Buffer.allocUnsafe(4);
      count.writeInt32BE(list.length, 0);
      return Buffer.concat([count, ...parts]);
    },
    decode(topic, b) {
      const n = b.readInt32BE(0);
      const out: OuterJoinValues<VL, VR> = [];
      let off = 4;
      for (let i = 0; i < n; i++) {
        const isLeft = b[off] === 1;
        const len = b.readInt32BE(off + 1);
        const bytes = b.subarray(off + 5, off + 5 + len);
        off += 5 + len;
        out.push(isLeft ? { left: ld.deserialize(topic, bytes), right: null } : { left: null, right: rd.deserialize(topic, bytes) });
      }
      if (off !== b.length) throw new SerializationError('Corrupt outer-join store value');
      return out;
    },
  };
}

/** Builds the shared store of a left/outer stream-stream join, where unmatched records wait for their window to close. */
export class OuterJoinStoreBuilder<K, VL, VR> extends AbstractStoreBuilder<OuterJoinStore<K, VL, VR>> {
  readonly persistent = false;

  constructor(
    name: string,
    private readonly keySerdeOrNull: Serde<K> | null,
    private readonly leftSerde: Serde<VL> | null,
    private readonly rightSerde: Serde<VR> | null,
  ) {
    super(name);
  }

  build(): OuterJoinStore<K, VL, VR> {
    let bytes: KeyValueStore<Buffer, Buffer> = new InMemoryKeyValueStore(this.name);
    if (this.loggingEnabled) bytes = new ChangeLoggingKeyValueStore(bytes, PLAIN_CHANGELOG_FORMAT);
    const k = this.keySerdeOrNull;
    const l = this.leftSerde as Serde<unknown> | null;
    const r = this.rightSerde as Serde<unknown> | null;
    return new MeteredKeyValueStore<TimestampedKeyAndJoinSide<K>, OuterJoinValues<VL, VR>>(
      bytes,
      (defaultKey) => keySerde((k ?? defaultKey) as Serde<K>),
      (defaultValue) => listCodec((l ?? defaultValue) as Serde<VL>, (r ?? defaultValue) as Serde<VR>),
      null,
    );
  }
}
