import { ConfigError, DeserializationError } from '../../errors.js';
import type { SourceNode } from '../../topology/nodes/SourceNode.js';
import { FailOnInvalidTimestamp, type TimestampExtractor } from '../../topology/TimestampExtractor.js';
import { decide, type DeserializationHandler } from '../ErrorHandlers.js';
import type { RawRecord, StampedRecord } from './RawRecord.js';

/**
 * The buffered records of one input partition. The head record is
 * deserialized and time-stamped eagerly so the partition group can pick the
 * partition with the lowest head timestamp; records that fail to deserialize
 * go to the handler there.
 */
export class RecordQueue {
  private readonly buffer: RawRecord[] = [];
  private readIndex = 0;
  private headRecord: StampedRecord | null = null;
  /** Highest timestamp seen on this partition (-1 before any). */
  partitionTime = -1;
  skipped = 0;
  /** Offset of the last record processed from this partition (-1 before any). */
  lastProcessedOffset = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: SourceNode,
    private readonly extractor: TimestampExtractor,
    private readonly handler: DeserializationHandler,
  ) {}

  add(records: readonly RawRecord[]): void {
    for (const r of records) this.buffer.push(r);
    if (this.headRecord === null) this.updateHead();
  }

  addOne(record: RawRecord): void {
    this.buffer.push(record);
    if (this.headRecord === null) this.updateHead();
  }

  head(): StampedRecord | null {
    return this.headRecord;
  }

  /** Removes and returns the head record, advancing partition time. */
  poll(): StampedRecord | null {
    const r = this.headRecord;
    if (r === null) return null;
    this.headRecord = null;
    if (r.timestamp > this.partitionTime) this.partitionTime = r.timestamp;
    this.updateHead();
    return r;
  }

  /** Records buffered, including the head. */
  size(): number {
    return this.buffer.length - this.readIndex + (this.headRecord === null ? 0 : 1);
  }

  isEmpty(): boolean {
    return this.headRecord === null;
  }

  clear(): void {
    this.buffer.length = 0;
    this.readIndex = 0;
    this.headRecord = null;
  }

  private updateHead(): void {
    while (this.headRecord === null && this.readIndex < this.buffer.length) {
      const raw = this.buffer[this.readIndex++] as RawRecord;
      if (this.readIndex > 1024 && this.readIndex * 2 > this.buffer.length) {
        this.buffer.splice(0, this.readIndex);
        this.readIndex = 0;
      }
      let key: unknown;
      let value: unknown;
      try {
        key = this.source.keyDeserializer.deserialize(raw.topic, raw.key, raw.headers);
        value = this.source.valueDeserializer.deserialize(raw.topic, raw.value, raw.headers);
      } catch (e) {
        // a configuration problem is not a bad record: no handler may skip it
        if (e instanceof ConfigError) throw e;
        const err = e instanceof Error ? e : new Error(String(e));
        const origin = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
        if (decide(this.handler, origin, err) === 'continue') {
          this.skipped++;
          continue;
        }
        throw new DeserializationError(
          `Deserialization exception handler is set to fail upon a deserialization error. ` +
            `A record from topic=${raw.topic}, partition=${raw.partition}, offset=${raw.offset} could not be deserialized: ${err.message}. ` +
            `Fix the serdes of source ${this.source.name}, or set deserializationExceptionHandler: 'logAndContinue' to skip such records.`,
          origin,
          { cause: e },
        );
      }
      // the default extractor needs no record object for a valid timestamp
      const ts =
        this.extractor instanceof FailOnInvalidTimestamp && raw.timestamp >= 0
          ? raw.timestamp
          : this.extractor.extract(
              { topic: raw.topic, partition: raw.partition, offset: raw.offset, key, value, timestamp: raw.timestamp, headers: raw.headers },
              this.partitionTime,
            );
      if (ts < 0) {
        // the extractor chose to skip this record (e.g. LogAndSkipOnInvalidTimestamp)
        this.skipped++;
        continue;
      }
      this.headRecord = { raw, key, value, timestamp: ts };
    }
  }
}
