import { Headers } from '../processor/Headers.js';
import type { Serializer } from '../serdes/Serde.js';
import type { KeyValue } from '../state/KeyValueStore.js';
import { TestRecord } from './TestRecord.js';

/** What the input topic needs from the driver. */
export interface PipeTarget {
  pipeRecord(topic: string, timestamp: number, key: Buffer | null, value: Buffer | null, headers: Headers): void;
}

/**
 * Pipes typed records into one topic of a TopologyTestDriver (Kafka's
 * `TestInputTopic`). Records without a timestamp get the topic's current
 * time, which then advances by `autoAdvanceMs`.
 */
export class TestInputTopic<K, V> {
  private currentTime: number;

  constructor(
    private readonly driver: PipeTarget,
    readonly topic: string,
    private readonly keySerializer: Serializer<K>,
    private readonly valueSerializer: Serializer<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestampMs;
  }

  /** Pipes a key and value, or a TestRecord. */
  pipeInput(record: TestRecord<K | null, V | null>): void;
  pipeInput(key: K | null, value: V | null, timestampMs?: number): void;
  pipeInput(keyOrRecord: K | null | TestRecord<K | null, V | null>, value?: V | null, timestampMs?: number): void {
    if (keyOrRecord instanceof TestRecord && value === undefined) {
      this.pipe(keyOrRecord.key, keyOrRecord.value, keyOrRecord.timestamp, keyOrRecord.headers);
    } else {
      this.pipe(keyOrRecord as K | null, value as V | null, timestampMs, undefined);
    }
  }

  /** Pipes a value with a null key. */
  pipeValue(value: V | null, timestampMs?: number): void {
    this.pipe(null, value, timestampMs, undefined);
  }

  /** Pipes values with null keys. */
  pipeValueList(values: readonly (V | null)[]): void {
    for (const v of values) this.pipe(null, v, undefined, undefined);
  }

  /**
   * Pipes key-value pairs. With `startTimestampMs`, the i-th record gets
   * start + i * advanceMs; otherwise the topic's current time.
   */
  pipeKeyValueList(list: readonly KeyValue<K | null, V | null>[], startTimestampMs?: number, advanceMs = 0): void {
    let ts = startTimestampMs;
    for (const kv of list) {
      this.pipe(kv.key, kv.value, ts, undefined);
      if (ts !== undefined) ts += advanceMs;
    }
  }

  pipeRecordList(records: readonly TestRecord<K | null, V | null>[]): void {
    for (const r of records) this.pipe(r.key, r.value, r.timestamp, r.headers);
  }

  /** Moves this topic's current time forward. */
  advanceTime(ms: number): void {
    if (ms < 0) throw new RangeError('advanceTime needs a non-negative duration');
    this.currentTime += ms;
  }

  private pipe(key: K | null, value: V | null, timestamp: number | undefined, headers: Headers | undefined): void {
    let ts = timestamp;
    if (ts === undefined) {
      ts = this.currentTime;
      this.currentTime += this.autoAdvanceMs;
    }
    const h = headers ?? Headers.EMPTY;
    const k = this.keySerializer.serialize(this.topic, key, h);
    const v = this.valueSerializer.serialize(this.topic, value, h);
    this.driver.pipeRecord(this.topic, ts, k, v, h);
  }
}
