import type { TopicPartition } from './kafka/KafkaPort.js';

/**
 * Hears about state restoration (Kafka's `StateRestoreListener`): each logged store of
 * a newly assigned task is restored from its changelog partition before the task runs.
 * Every method is optional. Offsets are changelog offsets.
 */
export interface StateRestoreListener {
  /** Restoration of `storeName` from `partition` starts; it will read [startingOffset, endingOffset). */
  onRestoreStart?(partition: TopicPartition, storeName: string, startingOffset: number, endingOffset: number): void;
  /** A batch of `numRestored` records up to `batchEndOffset` was written into the store. */
  onBatchRestored?(partition: TopicPartition, storeName: string, batchEndOffset: number, numRestored: number): void;
  /** The store is restored: `totalRestored` records in all. */
  onRestoreEnd?(partition: TopicPartition, storeName: string, totalRestored: number): void;
}
