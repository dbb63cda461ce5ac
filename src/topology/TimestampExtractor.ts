import { StreamsError } from '../errors.js';
import type { Headers } from '../processor/Headers.js';

/** A consumed record as a timestamp extractor sees it (key and value already deserialized). */
export interface ConsumerRecord<K = unknown, V = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Picks a record's event time (Kafka's `TimestampExtractor`). `partitionTime`
 * is the highest timestamp seen on the record's partition so far, or -1.
 */
export interface TimestampExtractor {
  extract(record: ConsumerRecord, partitionTime: number): number;
}

/** The default: the record's own timestamp; a negative one fails, as Kafka's FailOnInvalidTimestamp. */
export class FailOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumerRecord): number {
    if (record.timestamp < 0) {
      throw new StreamsError(
        `Input record ${record.topic}-${record.partition}@${record.offset} has invalid (negative) timestamp ${record.timestamp}. ` +
          'Use a different TimestampExtractor (e.g. LogAndSkipOnInvalidTimestamp) to process such records.',
      );
    }
    return record.timestamp;
  }
}

/** The record's own timestamp; a negative one is returned as is, and the task skips the record. */
export class LogAndSkipOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumerRecord): number {
    if (record.timestamp < 0) {
      console.warn(
        `Input record ${record.topic}-${record.partition}@${record.offset} will be dropped because it has an invalid (negative) timestamp.`,
      );
    }
    return record.timestamp;
  }
}

/** The record's own timestamp, or the partition time when the record's is negative. */
export class UsePartitionTimeOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumerRecord, partitionTime: number): number {
    if (record.timestamp >= 0) return record.timestamp;
    if (partitionTime < 0) {
      throw new StreamsError(
        `Could not infer a timestamp for record ${record.topic}-${record.partition}@${record.offset}: it has a negative timestamp and the partition time is unknown.`,
      );
    }
    return partitionTime;
  }
}

/** The current wall-clock time (processing-time semantics). */
export class WallclockTimestampExtractor implements TimestampExtractor {
  extract(): number {
    return Date.now();
  }
}
