/**
 * A StreamTask as a stream thread holds it: the task, the partitions it reads, its
 * muted-or-not view of the thread's collector, and where it is in its life here.
 */
import type { TaskDirectoryLock } from '../../state/rocksdb/TaskStateDirectory.js';
import type { ProcessorTopology } from '../../topology/ProcessorTopology.js';
import type { TopicPartition } from '../kafka/KafkaPort.js';
import type { StreamTask } from '../task/StreamTask.js';
import type { TaskId } from '../TaskId.js';
import type { RecordCollectorImpl, TaskCollector } from './RecordCollectorImpl.js';
import type { TransactionalSender } from './TransactionalSender.js';

export interface ActiveTask {
  readonly id: TaskId;
  /** `id.toString()`, the map key. */
  readonly key: string;
  readonly task: StreamTask;
  readonly topology: ProcessorTopology;
  readonly partitions: readonly TopicPartition[];
  readonly collector: TaskCollector;
  /** Where its records go: the thread's collector, or under exactly-once its own. */
  readonly sink: RecordCollectorImpl;
  /** Exactly-once: the task's transactional producer (set once initialised); else null. */
  readonly sender: TransactionalSender | null;
  /** True until its stores are restored and its processors initialised. */
  restoring: boolean;
  /** max.task.idle.ms: by `topic|partition`, until when an empty partition known to have no lag is waited for. */
  readonly idleDeadlines: Map<string, number>;
  /** Since when the task has waited for records the broker has but the consumer has not delivered, or -1. */
  lagWaitSince: number;
  /** The task directory, when the task has persistent stores; locked before its stores open. */
  readonly stateDir: string | null;
  /** The held lock of `stateDir`, released when the task closes. */
  lock: TaskDirectoryLock | null;
  /** Since when the task has waited for its directory lock (held by another owner), or -1. */
  lockWaitSince: number;
  /** By store name: the last changelog offset each store's data reflects (restored or acknowledged). */
  readonly changelogOffsets: Map<string, number>;
}
