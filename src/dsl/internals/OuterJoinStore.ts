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

/** Kafka's ListSerializer flag of a list of variable-size entries (SerializationStrategy.VARIABLE_SIZE). */
const VARIABLE_SIZE = 1;

/**
 * The store value in Kafka's layout, a ListSerde of LeftOrRightValue bytes (ListValueStore):
 * [VARIABLE_SIZE byte][count int32], then per value [length int32][side byte: 1 left, 0 right][value bytes].
 * Values in the layout of earlier kstreams versions ([count int32], then per value
 * [side byte][length int32][bytes], so a first byte 0) are still read.
 */
function listCodec<VL, VR>(left: Serde<VL>, right: Serde<VR>): ValueCodec<OuterJoinValues<VL, VR>> {
  const ls = left.serializer();
  const rs = right.serializer();
  const ld = left.deserializer();
  const rd = right.deserializer();
  const decodeOne = (topic: string, isLeft: boolean, bytes: Buffer): LeftOrRightValue<VL, VR> =>
    isLeft ? { left: ld.deserialize(topic, bytes), right: null } : { left: null, right: rd.deserialize(topic, bytes) };
  const corrupt = () => new SerializationError('Corrupt outer-join store value');
  return {
    encode(topic, list) {
      const parts = list.map((v) => {
        const isLeft = v.left !== null;
        const bytes = (isLeft ? ls.serialize(topic, v.left) : rs.serialize(topic, v.right)) ?? Buffer.alloc(0);
        const head = Buffer.allocUnsafe(5);
        head.writeInt32BE(1 + bytes.length, 0);
        head[4] = isLeft ? 1 : 0;
        return Buffer.concat([head, bytes]);
      });
      const head = Buffer.allocUnsafe(5);
      head[0] = VARIABLE_SIZE;
      head.writeInt32BE(list.length, 1);
      return Buffer.concat([head, ...parts]);
    },
    decode(topic, b) {
      const out: OuterJoinValues<VL, VR> = [];
      if (b.length < 4) throw corrupt();
      let off: number;
      if (b[0] === VARIABLE_SIZE) {
        if (b.length < 5) throw corrupt();
        const n = b.readInt32BE(1);
        off = 5;
        for (let i = 0; i < n; i++) {
          if (off + 4 > b.length) throw corrupt();
          const len = b.readInt32BE(off);
          off += 4;
          // a null entry (-1) or an empty one: LeftOrRightValueDeserializer gives null, the join has none
          if (len <= 0) continue;
          if (off + len > b.length) throw corrupt();
          out.push(decodeOne(topic, b[off] === 1, b.subarray(off + 1, off + len)));
          off += len;
        }
      } else {
        const n = b.readInt32BE(0);
        off = 4;
        for (let i = 0; i < n; i++) {
          if (off + 5 > b.length) throw corrupt();
          const len = b.readInt32BE(off + 1);
          if (len < 0 || off + 5 + len > b.length) throw corrupt();
          out.push(decodeOne(topic, b[off] === 1, b.subarray(off + 5, off + 5 + len)));
          off += 5 + len;
        }
      }
      if (off !== b.length) throw corrupt();
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

  /**
   * Decodes records of this store's changelog to the store's key and value (restoration);
   * the changelog holds each key's whole list after every change and a tombstone when
   * the key is emitted or matched, as Kafka's ChangeLoggingListValueBytesStore logs it.
   */
  changelogDecoder(
    topic: string,
    defaults: { keySerde: Serde<unknown>; valueSerde: Serde<unknown> },
  ): { key: (b: Buffer) => TimestampedKeyAndJoinSide<K>; value: (b: Buffer) => OuterJoinValues<VL, VR> } {
    const kd = keySerde((this.keySerdeOrNull ?? defaults.keySerde) as Serde<K>).deserializer();
    const codec = listCodec(
      (this.leftSerde ?? defaults.valueSerde) as Serde<VL>,
      (this.rightSerde ?? defaults.valueSerde) as Serde<VR>,
    );
    return { key: (b) => kd.deserialize(topic, b) as TimestampedKeyAndJoinSide<K>, value: (b) => codec.decode(topic, b) };
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
