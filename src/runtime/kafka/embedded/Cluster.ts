import { IllegalArgumentError } from '../../../errors.js';
import { UnknownTopicError } from '../errors.js';
import type { NewTopic, TopicPartitionOffset } from '../KafkaPort.js';
import { tpKey } from '../util.js';
import { EmbeddedGroup } from './Group.js';
import { PartitionLog } from './PartitionLog.js';
import { TransactionCoordinator } from './Transactions.js';

export interface EmbeddedTopic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
  readonly configs: Readonly<Record<string, string>>;
}

/** Kafka's topic name rule (legal characters and length). */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * The state of the embedded broker: topics and their logs, consumer groups with their
 * committed offsets, and the transaction coordinator. Clients (admin, consumers,
 * producers) are thin views over it. Time comes from `clock`, so eviction and
 * transaction timeouts follow the same clock as everything else.
 */
export class EmbeddedCluster {
  readonly transactions: TransactionCoordinator;
  private readonly topics = new Map<string, EmbeddedTopic>();
  private readonly groups = new Map<string, EmbeddedGroup>();
  /** Wake-ups of the pollers, called when data or assignments change. */
  private readonly watchers = new Set<() => void>();
  private memberSeq = 0;

  constructor(readonly clock: () => number = Date.now) {
    this.transactions = new TransactionCoordinator(
      (groupId, offsets) => this.commitOffsets(groupId, offsets),
      () => this.changed(),
    );
  }

  /** Throws IllegalArgumentError for an invalid name or partition count. */
  validateNewTopic(t: NewTopic): void {
    if (!TOPIC_NAME.test(t.name) || t.name === '.' || t.name === '..') throw new IllegalArgumentError(`Invalid topic name '${t.name}'`);
    if (!Number.isInteger(t.numPartitions) || t.numPartitions < 1) {
      throw new IllegalArgumentError(`Topic ${t.name}: numPartitions must be a positive integer, got ${t.numPartitions}`);
    }
  }

  /** Creates a topic; false if it already exists. */
  createTopic(t: NewTopic): boolean {
    if (this.topics.has(t.name)) return false;
    this.validateNewTopic(t);
    const partitions = Array.from({ length: t.numPartitions }, (_, p) => new PartitionLog(t.name, p));
    this.topics.set(t.name, { name: t.name, partitions, configs: { ...(t.configs ?? {}) } });
    return true;
  }

  topic(name: string): EmbeddedTopic | undefined {
    return this.topics.get(name);
  }

  partitionCount(name: string): number | undefined {
    return this.topics.get(name)?.partitions.length;
  }

  /** The log of a partition; throws UnknownTopicError for a missing topic or partition. */
  log(topic: string, partition: number): PartitionLog {
    const t = this.topics.get(topic);
    if (t === undefined) throw new UnknownTopicError(`Topic '${topic}' does not exist (the embedded broker does not auto-create topics)`);
    const log = t.partitions[partition];
    if (log === undefined) throw new UnknownTopicError(`Topic '${topic}' has no partition ${partition} (it has ${t.partitions.length})`);
    return log;
  }

  /** A group, created on first use (as Kafka creates groups on first join or commit). */
  group(groupId: string): EmbeddedGroup {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new EmbeddedGroup(groupId, (t) => this.partitionCount(t));
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** A new group member id; sequential, so runs are reproducible. */
  nextMemberId(clientId: string): string {
    return `${clientId}-${++this.memberSeq}`;
  }

  committedOffset(groupId: string, topic: string, partition: number): number | null {
    return this.groups.get(groupId)?.committed.get(tpKey(topic, partition)) ?? null;
  }

  commitOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    const g = this.group(groupId);
    for (const o of offsets) {
      this.log(o.topic, o.partition); // the partition must exist
      g.committed.set(tpKey(o.topic, o.partition), o.offset);
    }
  }

  /** Runs the time-driven parts: transaction timeouts and group session timeouts. */
  tick(): void {
    const now = this.clock();
    this.transactions.expire(now);
    for (const g of this.groups.values()) g.expireMembers(now);
  }

  watch(wake: () => void): () => void {
    this.watchers.add(wake);
    return () => this.watchers.delete(wake);
  }

  /** Tells pollers that records became visible. */
  changed(): void {
    for (const w of this.watchers) w();
  }
}
