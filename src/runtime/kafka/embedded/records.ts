import { Headers } from '../../../processor/Headers.js';
import type { RawRecord } from '../../task/RawRecord.js';

/**
 * Copies of bytes crossing the embedded broker's boundary. A real broker never shares
 * memory with its clients: a producer reusing its buffer, or a processor mutating a
 * value in place, must not change what is in the log.
 */
export function copyBytes(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}

export function copyHeaders(h: Headers | undefined): Headers {
  if (h === undefined || h.size === 0) return Headers.EMPTY;
  return Headers.of(h.toArray().map((x) => ({ key: x.key, value: copyBytes(x.value) })));
}

export function copyRecord(r: RawRecord): RawRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: copyBytes(r.key),
    value: copyBytes(r.value),
    headers: copyHeaders(r.headers),
  };
}
