import { readLong, writeLong } from './Bytes.js';

/**
 * Kafka's SessionKeySchema.toBinary: [key][end: int64 BE][start: int64 BE].
 * The changelog key of session stores and the cache key of caching session
 * stores; it is also the layout of WindowedSerdes.sessionWindowedSerdeFrom.
 */
export function sessionStoreKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + 16);
  key.copy(out, 0);
  writeLong(out, key.length, end);
  writeLong(out, key.length + 8, start);
  return out;
}

/** The parts of a session store key. */
export interface SessionStoreKeyParts {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
}

export function parseSessionStoreKey(storeKey: Buffer): SessionStoreKeyParts {
  const keyLength = storeKey.length - 16;
  return {
    key: storeKey.subarray(0, keyLength),
    end: readLong(storeKey, keyLength),
    start: readLong(storeKey, keyLength + 8),
  };
}
