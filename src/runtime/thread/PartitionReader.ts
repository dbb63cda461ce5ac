/**
 * Reads chosen partitions from the beginning (or from given offsets), outside the application's consumer group:
 * changelogs for restoration and global topics for the global thread (Kafka's restore
 * and global consumers use assign()).
 *
 * The port offers group consumers only, so a reader is a group consumer alone in a
 * private, throw-away group, whose assignor hands it exactly the wanted partitions; it
 * never commits. This works unchanged on every adapter. The cost is one group join per
 * reader (on a real broker that includes group.initial.rebalance.delay.ms, 3 s by
 * default, for a new group), which is why restoration opens one reader for all the
 * changelog partitions of the tasks it restores.
 */
import { randomUUID } from 'node:crypto';
import type { FetchedBatch, GroupConsumer, GroupConsumerConfig, KafkaPort, PartitionAssignor, TopicPartition } from '../kafka/KafkaPort.js';
import { EMPTY_BYTES, tpKey } from '../kafka/util.js';

export interface PartitionReaderOptions {
  /** Prefix of the private group's id; a random suffix makes it unique. */
  readonly groupPrefix: string;
  readonly partitions: readonly TopicPartition[];
  /** Consumer settings (session timeouts and the like) for the adapter. */
  readonly consumer?: Partial<GroupConsumerConfig>;
  /** Where to start reading, by tpKey, instead of the beginning (restore after a store's committed offset). */
  readonly starts?: ReadonlyMap<string, number>;
}

/** An assignor that gives every wanted partition to the first (only) member. */
function fixedAssignor(partitions: readonly TopicPartition[]): PartitionAssignor {
  return {
    name: 'kstreams-reader',
    subscriptionUserData: () => EMPTY_BYTES,
    assign: ({ members }) => {
      const result = new Map(members.map((m) => [m.memberId, { partitions: [] as TopicPartition[], userData: EMPTY_BYTES }]));
      const first = members[0];
      if (first !== undefined) result.set(first.memberId, { partitions: [...partitions], userData: EMPTY_BYTES });
      return result;
    },
  };
}

export class PartitionReader {
  private constructor(private readonly consumer: GroupConsumer) {}

  static async open(port: KafkaPort, options: PartitionReaderOptions): Promise<PartitionReader> {
    const consumer = await port.consumer({
      maxPollRecords: 10_000,
      ...options.consumer,
      groupId: `${options.groupPrefix}-${randomUUID()}`,
      assignor: fixedAssignor(options.partitions),
      offsetReset: 'earliest',
    });
    const starts = options.starts;
    if (starts !== undefined && starts.size > 0) {
      // seek as the partitions are delivered, before their first records are fetched
      consumer.onAssignmentChange(({ assigned }) => {
        for (const tp of assigned) {
          const start = starts.get(tpKey(tp.topic, tp.partition));
          if (start !== undefined && start > 0) consumer.seek(tp, start);
        }
      });
    }
    try {
      await consumer.subscribe([...new Set(options.partitions.map((tp) => tp.topic))]);
    } catch (e) {
      await consumer.close().catch(() => {});
      throw e;
    }
    return new PartitionReader(consumer);
  }

  poll(maxWaitMs: number): Promise<FetchedBatch[]> {
    return this.consumer.poll(maxWaitMs);
  }

  /** Makes a pending poll return at once. */
  wakeup(): void {
    this.consumer.wakeup();
  }

  close(): Promise<void> {
    return this.consumer.close();
  }

  /**
   * Reads until every partition reached its end offset (`ends`, by tpKey), passing each
   * batch to `apply`. Fails after `timeoutMs` without progress.
   */
  async readToEnd(ends: ReadonlyMap<string, number>, apply: (batch: FetchedBatch) => void, timeoutMs: number, stopped: () => boolean): Promise<void> {
    const remaining = new Map(ends);
    let lastProgress = Date.now();
    while (remaining.size > 0 && !stopped()) {
      const batches = await this.poll(100);
      for (const b of batches) {
        apply(b);
        lastProgress = Date.now();
        const key = tpKey(b.topic, b.partition);
        const end = remaining.get(key);
        const last = b.records[b.records.length - 1];
        if (end !== undefined && last !== undefined && last.offset + 1 >= end) remaining.delete(key);
      }
      // positions also move past transaction markers and deleted records
      for (const key of [...remaining.keys()]) {
        const [topic, partition] = splitKey(key);
        const pos = this.consumer.position({ topic, partition });
        if (pos !== undefined && pos >= (remaining.get(key) as number)) remaining.delete(key);
      }
      if (Date.now() - lastProgress > timeoutMs) {
        throw new Error(`Timed out after ${timeoutMs} ms reading ${[...remaining.keys()].join(', ')} to their end offsets`);
      }
    }
  }
}

function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf('|');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
