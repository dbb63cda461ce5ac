import { readLong, writeLong } from './Bytes.js';

/** Bytes of the window start timestamp in a window store key. */
const TIMESTAMP_SIZE = 8;
/** Bytes of the duplicate sequence number in a window store key. */
export const SEQNUM_SIZE = 4;

/**
 * Kafka's WindowKeySchema.toStoreKeyBinary: [key][windowStart: int64 BE][seqnum: int32 BE].
 * It is the changelog key of window stores (so a Java application restoring
 * from the changelog reads the same layout) and the cache key of caching
 * window stores. The seqnum is 0 unless the store retains duplicates.
 */
export function windowStoreKey(key: Buffer, windowStart: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + TIMESTAMP_SIZE + SEQNUM_SIZE);
  key.copy(out, 0);
  writeLong(out, key.length, windowStart);
  out.writeInt32BE(seqnum, key.length + TIMESTAMP_SIZE);
  return out;
}

/** The parts of a window store key. */
export interface WindowStoreKeyParts {
  readonly key: Buffer;
  readonly windowStart: number;
  readonly seqnum: number;
}

export function parseWindowStoreKey(storeKey: Buffer): WindowStoreKeyParts {
  const keyLength = storeKey.length - TIMESTAMP_SIZE - SEQNUM_SIZE;
  return {
    key: storeKey.subarray(0, keyLength),
    windowStart: readLong(storeKey, keyLength),
    seqnum: storeKey.readInt32BE(keyLength + TIMESTAMP_SIZE),
  };
}

/** A window ends `windowSize` after its start; Kafka clamps an overflowing end to Long.MAX_VALUE. */
export function timeWindowEnd(windowStart: number, windowSize: number): number {
  return Math.min(windowStart + windowSize, Number.MAX_SAFE_INTEGER);
}
