import { readLong, writeLong } from '../internals/Bytes.js';

/**
 * RocksDB key layouts of the window and session stores: Kafka's key schemas
 * behind a segment prefix.
 *
 * Kafka keeps time-bounded stores in segments (one RocksDB per time slice)
 * and drops a whole segment when it expires. Here the segments are logical,
 * as in Kafka's LogicalKeyValueSegments: an 8-byte segment id in front of
 * each key, so expiry is one DeleteRange over the expired segment ids.
 *
 *   window  data:  [segment][key][windowStart: int64][seqnum: int32]   (WindowKeySchema after the prefix)
 *   window  time:  [windowStart: int64][key][seqnum: int32]             (TimeFirstWindowKeySchema; value empty)
 *   session data:  [segment][key][end: int64][start: int64]            (SessionKeySchema after the prefix)
 *
 * Within a segment the data keys are key-first, so one key's windows or
 * sessions are one short range scan (the per-record reads of aggregations
 * and joins). The window time index serves time-ordered reads over all keys
 * (fetchAll, emit-on-close) without scanning whole segments.
 *
 * The record key has no length prefix, so a key range of the data layout
 * also holds longer keys that extend a bound (`a` + suffix vs key `a\0...`);
 * readers filter by the parsed key, as Kafka does.
 */

export const SEGMENT_BYTES = 8;
const TIME_BYTES = 8;
const SEQNUM_BYTES = 4;
export const WINDOW_SUFFIX_BYTES = TIME_BYTES + SEQNUM_BYTES;
export const SESSION_SUFFIX_BYTES = 2 * TIME_BYTES;

/** Kafka's segment interval for window and session stores: max(retention / 2, 60 s). */
export function segmentInterval(retentionPeriod: number): number {
  return Math.max(Math.floor(retentionPeriod / 2), 60_000);
}

export function segmentOf(time: number, interval: number): number {
  return Math.floor(time / interval);
}

/** A time (or segment id) as 8 big-endian bytes. */
export function timeBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(TIME_BYTES);
  writeLong(b, 0, n);
  return b;
}

export function windowDataKey(segment: number, key: Buffer, start: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_BYTES + key.length + WINDOW_SUFFIX_BYTES);
  writeLong(out, 0, segment);
  key.copy(out, SEGMENT_BYTES);
  writeLong(out, SEGMENT_BYTES + key.length, start);
  out.writeUInt32BE(seqnum >>> 0, SEGMENT_BYTES + key.length + TIME_BYTES);
  return out;
}

/** Key length of a window data key; the caller compares it with the key it asked for. */
export function windowDataKeyLength(dataKey: Buffer): number {
  return dataKey.length - SEGMENT_BYTES - WINDOW_SUFFIX_BYTES;
}

export function parseWindowDataKey(dataKey: Buffer): { key: Buffer; start: number; seqnum: number } {
  const end = dataKey.length - WINDOW_SUFFIX_BYTES;
  return { key: dataKey.subarray(SEGMENT_BYTES, end), start: readLong(dataKey, end), seqnum: dataKey.readUInt32BE(end + TIME_BYTES) };
}

export function windowTimeKey(key: Buffer, start: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(TIME_BYTES + key.length + SEQNUM_BYTES);
  writeLong(out, 0, start);
  key.copy(out, TIME_BYTES);
  out.writeUInt32BE(seqnum >>> 0, TIME_BYTES + key.length);
  return out;
}

export function parseWindowTimeKey(timeKey: Buffer): { key: Buffer; start: number; seqnum: number } {
  const end = timeKey.length - SEQNUM_BYTES;
  return { key: timeKey.subarray(TIME_BYTES, end), start: readLong(timeKey, 0), seqnum: timeKey.readUInt32BE(end) };
}

export function sessionDataKey(segment: number, key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_BYTES + key.length + SESSION_SUFFIX_BYTES);
  writeLong(out, 0, segment);
  key.copy(out, SEGMENT_BYTES);
  writeLong(out, SEGMENT_BYTES + key.length, end);
  writeLong(out, SEGMENT_BYTES + key.length + TIME_BYTES, start);
  return out;
}

export function parseSessionDataKey(dataKey: Buffer): { key: Buffer; start: number; end: number } {
  const at = dataKey.length - SESSION_SUFFIX_BYTES;
  return { key: dataKey.subarray(SEGMENT_BYTES, at), end: readLong(dataKey, at), start: readLong(dataKey, at + TIME_BYTES) };
}

/** `[segment][key]` followed by `suffix`. */
export function segmentKey(segment: number, key: Buffer, suffix?: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_BYTES + key.length + (suffix?.length ?? 0));
  writeLong(out, 0, segment);
  key.copy(out, SEGMENT_BYTES);
  suffix?.copy(out, SEGMENT_BYTES + key.length);
  return out;
}

/**
 * The smallest inclusive upper bound of `k + s` over record keys
 * keyFrom <= k <= keyTo and fixed-length suffixes s <= maxSuffix.
 *
 * Why it holds: a k that is a prefix of keyTo (or keyTo itself) is one of the
 * candidates p below, and k + s <= p + maxSuffix. Any other k <= keyTo is
 * smaller than keyTo at some byte, so k + s < keyTo + maxSuffix, also a
 * candidate. Only prefixes >= keyFrom can be keys in the range.
 */
export function keyRangeUpperBound(keyFrom: Buffer | null, keyTo: Buffer, maxSuffix: Buffer): Buffer {
  let best: Buffer | null = null;
  for (let len = 0; len <= keyTo.length; len++) {
    const p = keyTo.subarray(0, len);
    if (keyFrom !== null && Buffer.compare(p, keyFrom) < 0) continue;
    const candidate = Buffer.concat([p, maxSuffix]);
    if (best === null || Buffer.compare(candidate, best) > 0) best = candidate;
  }
  return best as Buffer; // keyTo itself qualifies whenever keyFrom <= keyTo
}

/** The seqnum as 4 big-endian bytes in latin1, as the in-memory window store orders duplicates. */
export function seqnumSuffix(seqnum: number): string {
  return String.fromCharCode((seqnum >>> 24) & 0xff, (seqnum >>> 16) & 0xff, (seqnum >>> 8) & 0xff, seqnum & 0xff);
}
