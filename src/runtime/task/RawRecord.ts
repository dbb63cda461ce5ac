import type { Headers } from '../../processor/Headers.js';

/** A record as it comes from a topic: bytes plus its coordinates. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/** A deserialized record with its extracted timestamp, ready to process. */
export interface StampedRecord {
  readonly raw: RawRecord;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
}
