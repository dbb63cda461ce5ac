/**
 * The Kafka seam: the one narrow, byte-level port through which the kstreams
 * runtime talks to Kafka. Two adapters implement it: the kafkajs adapter
 * (`./kafkajs`, production) and the embedded in-process broker (`./embedded`,
 * demo and fast tests). Nothing above this file knows which one it has.
 *
 * Conventions, the same for every method:
 * - Keys, values and header values are bytes (`Buffer`); serdes live above the port.
 * - Offsets are plain numbers (safe up to 2^53, far beyond any real log).
 * - A committed offset is the offset of the NEXT record to read, as in Kafka.
 * - Errors are kstreams errors (`../../errors.ts`, `./errors.ts`), never client errors:
 *   fencing is a {@link ProducerFencedError}, a commit refused because the group moved
 *   on is a {@link CommitFailedError}; both are `TaskMigratedError`s.
 */
import type { Headers } from '../../processor/Headers.js';
import type { RawRecord } from '../task/RawRecord.js';

// ---------------------------------------------------------------------------
// Small value types
// ---------------------------------------------------------------------------

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A position in a partition: for commits, the next offset to read. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** Which records a consumer may see. */
export const IsolationLevel = {
  /** Only records of committed transactions (and non-transactional ones), up to the last stable offset. */
  READ_COMMITTED: 'read_committed',
  /** Every record up to the high watermark, including open and aborted transactions (Kafka's default). */
  READ_UNCOMMITTED: 'read_uncommitted',
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];

/** Where to start a partition that has no committed offset for the group. */
export const OffsetReset = {
  EARLIEST: 'earliest',
  LATEST: 'latest',
} as const;
export type OffsetReset = (typeof OffsetReset)[keyof typeof OffsetReset];

// ---------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------

/** A topic to create. */
export interface NewTopic {
  readonly name: string;
  readonly numPartitions: number;
  /** Default: the broker's default (`-1`). */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** What `describeTopics` found. */
export interface TopicsDescription {
  /** Partition count of every topic that exists. */
  readonly partitions: ReadonlyMap<string, number>;
  /** The asked-for topics that do not exist (reported, never thrown). */
  readonly missing: readonly string[];
}

/** Offsets bounding one partition's readable log. */
export interface PartitionOffsets {
  readonly partition: number;
  /** The log start offset (moves forward with retention and `deleteRecords`). */
  readonly earliest: number;
  /**
   * The end offset a read_committed consumer can reach: the last stable offset, which
   * equals the high watermark when no transaction is open on the partition. It can lie
   * past the last data record, because transaction markers take offsets too.
   */
  readonly latest: number;
}

/** Topic management and offset queries. */
export interface KafkaAdmin {
  /** Creates topics; topics that already exist are left as they are and are not an error. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Partition counts of `names`; missing topics are listed in `missing`. */
  describeTopics(names: readonly string[]): Promise<TopicsDescription>;
  /** Earliest and latest offset of every partition of `topic`, ordered by partition. */
  listOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Deletes the records before `offset` in each partition (moves the log start offset). */
  deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void>;
  /** The group's committed offsets for `partitions`, in the same order; `null` where none. */
  fetchCommittedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<{ topic: string; partition: number; offset: number | null }[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Group consumer and the pluggable assignor
// ---------------------------------------------------------------------------

/** One member's subscription, as the assignor sees it. */
export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** The bytes the member's assignor returned from `subscriptionUserData` (empty if none). */
  readonly userData: Buffer;
}

/** What one member gets from a rebalance. */
export interface MemberAssignment {
  readonly partitions: readonly TopicPartition[];
  /** Free-form bytes for the member (kstreams: its tasks and the host map). Empty if none. */
  readonly userData: Buffer;
}

/** Input of one assignment. */
export interface GroupSubscription {
  /** Members in a stable order (join order on the embedded broker, the coordinator's order on Kafka). */
  readonly members: readonly MemberSubscription[];
  /** Partition count of every subscribed topic that exists. */
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
}

/**
 * A pluggable partition assignor, run by the group leader on every rebalance. Every
 * member of a group must use an assignor with the same `name` (the protocol name).
 * kstreams assigns whole tasks with it and carries host info in `userData`.
 */
export interface PartitionAssignor {
  /** Protocol name announced in JoinGroup, e.g. `'stream'`. */
  readonly name: string;
  /** Metadata version announced with the subscription (default 0). */
  readonly version?: number;
  /** Bytes this member sends with its subscription; called before each join. */
  subscriptionUserData(topics: readonly string[]): Buffer;
  /**
   * Assigns partitions to members. Members missing from the result get nothing.
   * Runs on the leader only; may be async.
   */
  assign(group: GroupSubscription): ReadonlyMap<string, MemberAssignment> | Promise<ReadonlyMap<string, MemberAssignment>>;
}

/** What changed for this member in a rebalance. Delivered inside `poll()`. */
export interface AssignmentChange {
  /**
   * Partitions this member no longer owns. With the kafkajs adapter (eager protocol, no
   * blocking rebalance callback) they may already be owned by another member when this
   * arrives, so correctness must not depend on work done here; exactly-once relies on
   * producer fencing. Buffered, unreturned records of these partitions are dropped.
   */
  readonly revoked: readonly TopicPartition[];
  /**
   * Partitions newly owned; they start at the committed offset, or per the reset policy.
   * Under exactly-once, first create the task's transactional producer (its init waits
   * until the previous owner's last transaction is complete), then read the committed
   * offset with `fetchCommittedOffsets` and `seek` to it: kafkajs has no KIP-447
   * "require stable" offset fetch, so the offset it read at join time can miss a
   * transaction that was committing while the partition moved.
   */
  readonly assigned: readonly TopicPartition[];
  /** The full assignment after the change (kept partitions continue from their position). */
  readonly assignment: MemberAssignment;
}

/** Listener of assignment changes; awaited by `poll()` before it fetches. */
export type AssignmentListener = (change: AssignmentChange) => void | Promise<void>;

/** A topic to subscribe to, with its own reset policy. */
export interface TopicSubscription {
  readonly topic: string;
  readonly offsetReset?: OffsetReset;
}

export interface GroupConsumerConfig {
  readonly groupId: string;
  readonly assignor: PartitionAssignor;
  /** Default read_uncommitted, as Kafka's consumer. kstreams sets read_committed under exactly-once. */
  readonly isolationLevel?: IsolationLevel;
  /** Reset policy of topics subscribed without one (default earliest, as Kafka Streams). */
  readonly offsetReset?: OffsetReset;
  /**
   * A member that neither heartbeats nor (on the embedded broker) polls for this long is
   * removed from the group. Default 45000 (Kafka's); Kafka brokers refuse less than 6000.
   */
  readonly sessionTimeoutMs?: number;
  /** How long the coordinator waits for members to rejoin in a rebalance (Kafka adapter). */
  readonly rebalanceTimeoutMs?: number;
  /** Heartbeat period (Kafka adapter); about a third of the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /** Most records one `poll()` returns, over all partitions (default 1000). */
  readonly maxPollRecords?: number;
  /** Fetched-but-unreturned records per partition after which fetching pauses (default 2000). */
  readonly maxBufferedRecordsPerPartition?: number;
  readonly clientId?: string;
}

/** Records fetched from one partition, in offset order. */
export interface FetchedBatch extends TopicPartition {
  readonly records: readonly RawRecord[];
  /** The partition's high watermark when fetched (for lag), or -1 when unknown. */
  readonly highWatermark: number;
}

/**
 * A group member that the caller drives by polling: nothing is processed behind the
 * caller's back, and records of one partition come in offset order without gaps other
 * than transaction markers, aborted records (read_committed) and deleted records.
 * Not safe for concurrent `poll()` calls.
 */
export interface GroupConsumer {
  readonly groupId: string;
  /**
   * Joins the group subscribed to `topics`; the first assignment arrives through `poll()`.
   * Once only. The topics must exist (UnknownTopicError otherwise): kstreams creates its
   * topics first, and Kafka Streams too refuses missing source topics.
   */
  subscribe(topics: readonly (string | TopicSubscription)[]): Promise<void>;
  /**
   * Waits up to `maxWaitMs` for records of assigned, unpaused partitions and returns them
   * per partition. Assignment changes are applied (and listeners awaited) first.
   * Returns early, possibly empty, after `wakeup()`.
   */
  poll(maxWaitMs: number): Promise<FetchedBatch[]>;
  /** Stops returning records of these partitions until resumed; their buffered records are kept. */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  paused(): TopicPartition[];
  /** The next `poll()` returns this partition's records from `offset` on. */
  seek(partition: TopicPartition, offset: number): void;
  /** The offset of the next record `poll()` will return, if known. */
  position(partition: TopicPartition): number | undefined;
  /**
   * Commits offsets (the next offset to read) for the group. Fails with
   * {@link CommitFailedError} when a partition is no longer assigned to this member
   * (the group rebalanced) or the member was removed from the group.
   */
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** The assignment as delivered to the caller by the last `poll()`. */
  assignment(): MemberAssignment;
  /** Registers a listener; returns a function that removes it. */
  onAssignmentChange(listener: AssignmentListener): () => void;
  /** This member's id in the group, once joined. */
  memberId(): string | undefined;
  /** Makes a pending (or the next) `poll()` return at once. */
  wakeup(): void;
  /** Leaves the group and releases the connection. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Producers
// ---------------------------------------------------------------------------

/** A record to send. */
export interface ProducerRecord {
  readonly topic: string;
  /** Default: murmur2 of the key modulo the partition count (Kafka's), round-robin for null keys. */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Headers;
  /** CreateTime in ms; default now. */
  readonly timestamp?: number;
}

/** Where a sent record landed. */
export interface RecordMetadata extends TopicPartitionOffset {
  readonly timestamp: number;
}

export interface ProducerConfig {
  readonly clientId?: string;
}

/** An idempotent producer: retries never duplicate or reorder records within a partition. */
export interface KafkaProducer {
  /** Sends records; resolves with their metadata, in input order. */
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]>;
  /** Resolves when every send started so far has completed (rejects if one failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TransactionalProducerConfig {
  /** One per task (kafkajs has no KIP-447): a second producer with the same id fences the first. */
  readonly transactionalId: string;
  /** The coordinator aborts a transaction open longer than this (default 60000). */
  readonly transactionTimeoutMs?: number;
  readonly clientId?: string;
}

/**
 * A transactional producer: at most one open transaction at a time. Creating it fences
 * any older producer with the same transactional id and aborts that producer's open
 * transaction. Once fenced, every call fails with {@link ProducerFencedError}; after
 * a {@link TransactionFailedError} the producer is unusable too. In both cases close
 * it and create a new one.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  beginTransaction(): Promise<void>;
  /** Sends records inside the open transaction. */
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]>;
  /** Commits `offsets` for `groupId` atomically with the open transaction. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Waits for outstanding sends, then commits. */
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  /** Whether a transaction is open. */
  inTransaction(): boolean;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------

/** Creates connected clients of one Kafka cluster (real or embedded). */
export interface KafkaPort {
  /** `'kafkajs'` or `'embedded'`, for logs. */
  readonly name: string;
  admin(): Promise<KafkaAdmin>;
  /** A consumer that has not joined yet; call `subscribe`. */
  consumer(config: GroupConsumerConfig): Promise<GroupConsumer>;
  producer(config?: ProducerConfig): Promise<KafkaProducer>;
  /** Initialises the transactional id (fencing older producers) before resolving. */
  transactionalProducer(config: TransactionalProducerConfig): Promise<TransactionalProducer>;
  /** Closes every client created through this port. */
  close(): Promise<void>;
}
