import { SerializationError } from '../errors.js';
import { readLong, writeLong } from '../state/internals/Bytes.js';
import { type Serde, serdeFrom } from './Serde.js';

function checkSize(name: string, data: Buffer, size: number): void {
  if (data.length !== size) {
    throw new SerializationError(`Size of data received by ${name} is not ${size} (got ${data.length} bytes)`);
  }
}

const stringSerde = serdeFrom<string>(
  (s) => Buffer.from(s, 'utf8'),
  (b) => b.toString('utf8'),
);

const integerSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n | 0);
    return b;
  },
  (b) => {
    checkSize('IntegerDeserializer', b, 4);
    return b.readInt32BE(0);
  },
);

const longSerde = serdeFrom<number>(
  (n) => {
    if (!Number.isSafeInteger(n)) {
      throw new SerializationError(`LongSerializer needs a safe integer, got ${n}; use Serdes.BigLong() for 64-bit values`);
    }
    const b = Buffer.allocUnsafe(8);
    writeLong(b, 0, n);
    return b;
  },
  (b) => {
    checkSize('LongDeserializer', b, 8);
    const hi = b.readInt32BE(0);
    // outside ±2^53 a JS number cannot hold the value exactly
    if (hi > 0x1fffff || hi < -0x200000) {
      throw new SerializationError(`LongDeserializer got ${b.readBigInt64BE(0)}, beyond ±2^53; use Serdes.BigLong()`);
    }
    return readLong(b, 0);
  },
);

const bigLongSerde = serdeFrom<bigint>(
  (n) => {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(n);
    return b;
  },
  (b) => {
    checkSize('LongDeserializer', b, 8);
    return b.readBigInt64BE(0);
  },
);

const doubleSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(n);
    return b;
  },
  (b) => {
    checkSize('DoubleDeserializer', b, 8);
    return b.readDoubleBE(0);
  },
);

const floatSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(n);
    return b;
  },
  (b) => {
    checkSize('FloatDeserializer', b, 4);
    return b.readFloatBE(0);
  },
);

const shortSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(n);
    return b;
  },
  (b) => {
    checkSize('ShortDeserializer', b, 2);
    return b.readInt16BE(0);
  },
);

const booleanSerde = serdeFrom<boolean>(
  (v) => Buffer.from([v ? 1 : 0]),
  (b) => {
    checkSize('BooleanDeserializer', b, 1);
    if (b[0] !== 0 && b[0] !== 1) throw new SerializationError(`BooleanDeserializer got byte ${b[0]}, expected 0 or 1`);
    return b[0] === 1;
  },
);

const bytesSerde = serdeFrom<Buffer>(
  (b) => b,
  (b) => b,
);

const voidSerde: Serde<null> = {
  serializer: () => ({ serialize: () => null }),
  deserializer: () => ({
    deserialize: (_topic, data) => {
      if (data !== null && data !== undefined) {
        throw new SerializationError('VoidDeserializer got non-null data; a Void serde only reads null keys or values');
      }
      return null;
    },
  }),
};

/**
 * Factory for the built-in serdes, with Kafka's names and byte layouts, so
 * that records round-trip with Java applications.
 */
export const Serdes = {
  /** UTF-8 strings. */
  String: (): Serde<string> => stringSerde,
  /** 32-bit big-endian signed integers (Java `Integer`). */
  Integer: (): Serde<number> => integerSerde,
  /**
   * 64-bit big-endian signed integers (Java `Long`) as JS numbers. Values outside
   * ±2^53 are refused when serializing; use `BigLong()` for the full range.
   */
  Long: (): Serde<number> => longSerde,
  /** 64-bit big-endian signed integers as `bigint`. */
  BigLong: (): Serde<bigint> => bigLongSerde,
  /** 64-bit IEEE 754 doubles (Java `Double`). */
  Double: (): Serde<number> => doubleSerde,
  /** 32-bit IEEE 754 floats (Java `Float`). */
  Float: (): Serde<number> => floatSerde,
  /** 16-bit big-endian signed integers (Java `Short`). */
  Short: (): Serde<number> => shortSerde,
  /** One byte, 0 or 1 (Java `Boolean`). */
  Boolean: (): Serde<boolean> => booleanSerde,
  /** Raw bytes, passed through as a Buffer (Java `Bytes`/`byte[]`). */
  Bytes: (): Serde<Buffer> => bytesSerde,
  /** Raw bytes (alias of Bytes, Java `ByteArray`). */
  ByteArray: (): Serde<Buffer> => bytesSerde,
  /** Only null; for topics whose keys or values are always null. */
  Void: (): Serde<null> => voidSerde,
  /** JSON text in UTF-8. The type parameter is trusted, not checked. */
  JSON: <T>(): Serde<T> =>
    serdeFrom<T>(
      (v) => Buffer.from(JSON.stringify(v), 'utf8'),
      (b) => {
        try {
          return JSON.parse(b.toString('utf8')) as T;
        } catch (e) {
          throw new SerializationError(`JSON deserializer could not parse ${b.length} bytes: ${(e as Error).message}`, {
            cause: e,
          });
        }
      },
    ),
} as const;
