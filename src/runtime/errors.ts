/**
 * Errors of the KafkaStreams runtime that users meet at startup. They extend the
 * kstreams hierarchy of src/errors.ts (as the Kafka seam's errors in ./kafka/errors.ts
 * do), so `code` and `retriable` say what to do: fix the topics, then start again.
 */
import { StreamsError, TopologyError } from '../errors.js';

/**
 * Source topics of the topology do not exist (Kafka's MissingSourceTopicException).
 * kstreams never creates input topics: their partition counts are the user's decision.
 */
export class MissingSourceTopicError extends StreamsError {
  /** The missing topics, sorted. */
  readonly topics: readonly string[];
  constructor(topics: readonly string[]) {
    const sorted = [...topics].sort();
    super(
      `Missing source topic(s): [${sorted.join(', ')}]. kstreams does not create the input topics of a topology; ` +
        'create them (with the partition counts you need) before calling start().',
    );
    this.topics = sorted;
  }
}

/**
 * Topics that must be co-partitioned (the inputs of a join) have different partition
 * counts, or an existing internal topic has the wrong count (Kafka's TopologyException
 * "Topics not co-partitioned").
 */
export class CopartitionError extends TopologyError {
  /** The topics involved and their partition counts. */
  readonly partitions: Readonly<Record<string, number>>;
  constructor(message: string, partitions: Readonly<Record<string, number>>) {
    super(message);
    this.partitions = partitions;
  }
}

/** Formats `{ a: 2, b: 3 }` as Kafka prints a TreeMap: `{a=2, b=3}`. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return `{${Object.keys(counts)
    .sort()
    .map((t) => `${t}=${counts[t]}`)
    .join(', ')}}`;
}
