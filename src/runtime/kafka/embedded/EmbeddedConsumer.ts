import { CommitFailedError, KafkaStateError } from '../errors.js';
import {
  type AssignmentListener,
  type FetchedBatch,
  type GroupConsumer,
  type GroupConsumerConfig,
  IsolationLevel,
  type MemberAssignment,
  OffsetReset,
  type TopicPartition,
  type TopicPartitionOffset,
  type TopicSubscription,
} from '../KafkaPort.js';
import { EMPTY_ASSIGNMENT, partitionsMinus, Signal, tpKey } from '../util.js';
import type { EmbeddedCluster } from './Cluster.js';
import type { EmbeddedGroup, GroupMember } from './Group.js';
import type { PartitionLog } from './PartitionLog.js';
import { copyRecord } from './records.js';

/** How often a waiting poll wakes to run the clock-driven checks (evictions, transaction timeouts). */
const TICK_MS = 50;

/**
 * A group consumer of the embedded broker. Positions live here, as in a Kafka client;
 * the broker only knows logs, groups and committed offsets. Assignment changes are
 * applied at the start of `poll()`, so a poll never returns records of a partition the
 * caller has not been told it owns.
 */
export class EmbeddedConsumer implements GroupConsumer {
  readonly groupId: string;
  private readonly group: EmbeddedGroup;
  private readonly isolation: IsolationLevel;
  private readonly maxPollRecords: number;
  private member: GroupMember | null = null;
  private topics: string[] = [];
  private readonly resets = new Map<string, OffsetReset>();
  private delivered: MemberAssignment = EMPTY_ASSIGNMENT;
  private deliveredGeneration = 0;
  /** After an eviction everything delivered is lost, even partitions assigned again. */
  private lostAll = false;
  private readonly positions = new Map<string, number>();
  private readonly pausedSet = new Map<string, TopicPartition>();
  private readonly listeners = new Set<AssignmentListener>();
  private readonly signal = new Signal();
  private readonly unwatch: () => void;
  private woken = false;
  private closed = false;
  private rotation = 0;

  constructor(
    private readonly cluster: EmbeddedCluster,
    private readonly config: GroupConsumerConfig,
  ) {
    this.groupId = config.groupId;
    this.group = cluster.group(config.groupId);
    this.isolation = config.isolationLevel ?? IsolationLevel.READ_UNCOMMITTED;
    this.maxPollRecords = config.maxPollRecords ?? 1000;
    this.unwatch = cluster.watch(() => this.signal.notify());
  }

  async subscribe(topics: readonly (string | TopicSubscription)[]): Promise<void> {
    this.ensureOpen();
    if (this.member !== null) throw new KafkaStateError(`Consumer of group ${this.groupId} is already subscribed`);
    const subs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
    // as Kafka with topic auto-creation off (and kafkajs): source topics must exist;
    // every topic has a partition 0, so this throws UnknownTopicError exactly for missing ones
    for (const s of subs) this.cluster.log(s.topic, 0);
    for (const s of subs) {
      this.topics.push(s.topic);
      this.resets.set(s.topic, s.offsetReset ?? this.config.offsetReset ?? OffsetReset.EARLIEST);
    }
    await this.join();
  }

  private join(): Promise<void> {
    const member: GroupMember = {
      memberId: this.cluster.nextMemberId(this.config.clientId ?? 'consumer'),
      topics: [...this.topics],
      assignor: this.config.assignor,
      sessionTimeoutMs: this.config.sessionTimeoutMs ?? 45_000,
      lastSeen: this.cluster.clock(),
      inPoll: this.member?.inPoll ?? false,
      evicted: false,
      assignment: EMPTY_ASSIGNMENT,
      generation: 0,
      failure: undefined,
      wake: () => this.signal.notify(),
    };
    this.member = member;
    return this.group.join(member);
  }

  async poll(maxWaitMs: number): Promise<FetchedBatch[]> {
    this.ensureOpen();
    if (this.member === null) throw new KafkaStateError('Call subscribe() before poll()');
    const deadline = Date.now() + maxWaitMs;
    try {
      for (;;) {
        if (this.closed) return [];
        (this.member as GroupMember).inPoll = true;
        this.cluster.tick();
        if ((this.member as GroupMember).evicted) {
          // removed for not polling in time: rejoin as a new member, everything is lost
          this.lostAll = true;
          await this.join();
        }
        await this.deliverAssignment();
        const batches = this.fetch();
        const remaining = deadline - Date.now();
        if (batches.length > 0 || this.woken || remaining <= 0) {
          this.woken = false;
          return batches;
        }
        await this.signal.wait(Math.min(remaining, TICK_MS));
      }
    } finally {
      const m = this.member as GroupMember;
      m.inPoll = false;
      m.lastSeen = this.cluster.clock();
    }
  }

  /** Tells listeners what the latest rebalance changed for this member. */
  private async deliverAssignment(): Promise<void> {
    const m = this.member as GroupMember;
    if (m.failure !== undefined) {
      const e = m.failure;
      m.failure = undefined;
      throw e;
    }
    if (m.generation === this.deliveredGeneration && !this.lostAll) return;
    const prev = this.delivered;
    const next = m.assignment;
    const first = this.deliveredGeneration === 0;
    let revoked: TopicPartition[];
    let assigned: TopicPartition[];
    if (this.lostAll) {
      revoked = [...prev.partitions];
      assigned = [...next.partitions];
      this.positions.clear();
      this.pausedSet.clear();
    } else {
      revoked = partitionsMinus(prev.partitions, next.partitions);
      assigned = partitionsMinus(next.partitions, prev.partitions);
    }
    this.lostAll = false;
    this.delivered = next;
    this.deliveredGeneration = m.generation;
    for (const tp of revoked) {
      this.positions.delete(tpKey(tp.topic, tp.partition));
      this.pausedSet.delete(tpKey(tp.topic, tp.partition));
    }
    const changed = first || revoked.length > 0 || assigned.length > 0 || !prev.userData.equals(next.userData);
    if (!changed) return;
    for (const listener of [...this.listeners]) await listener({ revoked, assigned, assignment: next });
  }

  /** Reads from the assigned, unpaused partitions, starting at a rotating one for fairness. */
  private fetch(): FetchedBatch[] {
    const parts = this.delivered.partitions.filter((tp) => !this.pausedSet.has(tpKey(tp.topic, tp.partition)));
    const out: FetchedBatch[] = [];
    if (parts.length === 0) return out;
    let budget = this.maxPollRecords;
    const start = this.rotation++ % parts.length;
    for (let i = 0; i < parts.length && budget > 0; i++) {
      const tp = parts[(start + i) % parts.length] as TopicPartition;
      const log = this.cluster.topic(tp.topic)?.partitions[tp.partition];
      if (log === undefined) continue;
      const key = tpKey(tp.topic, tp.partition);
      let pos = this.positions.get(key) ?? this.initialPosition(tp, log);
      if (pos < log.logStartOffset || pos > log.highWatermark) pos = this.resetPosition(tp, log);
      const { records, next } = log.read(pos, this.isolation, budget);
      this.positions.set(key, next);
      if (records.length > 0) {
        out.push({ topic: tp.topic, partition: tp.partition, records: records.map(copyRecord), highWatermark: log.highWatermark });
        budget -= records.length;
      }
    }
    return out;
  }

  private initialPosition(tp: TopicPartition, log: PartitionLog): number {
    return this.cluster.committedOffset(this.groupId, tp.topic, tp.partition) ?? this.resetPosition(tp, log);
  }

  private resetPosition(tp: TopicPartition, log: PartitionLog): number {
    const policy = this.resets.get(tp.topic) ?? OffsetReset.EARLIEST;
    return policy === OffsetReset.EARLIEST ? log.logStartOffset : log.endOffset(this.isolation);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) if (this.isAssigned(tp)) this.pausedSet.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.pausedSet.delete(tpKey(tp.topic, tp.partition));
    this.signal.notify();
  }

  paused(): TopicPartition[] {
    return [...this.pausedSet.values()];
  }

  seek(partition: TopicPartition, offset: number): void {
    if (!this.isAssigned(partition)) throw new KafkaStateError(`Cannot seek ${partition.topic}-${partition.partition}: not assigned to this consumer`);
    this.positions.set(tpKey(partition.topic, partition.partition), offset);
  }

  position(partition: TopicPartition): number | undefined {
    return this.positions.get(tpKey(partition.topic, partition.partition));
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen();
    const m = this.member;
    if (m === null) throw new KafkaStateError('Call subscribe() before commitOffsets()');
    this.cluster.tick();
    if (!this.group.isMember(m)) {
      throw new CommitFailedError(`Commit refused: member ${m.memberId} was removed from group ${this.groupId} (session timeout); poll() to rejoin`);
    }
    for (const o of offsets) {
      if (!this.group.owns(m, o)) {
        throw new CommitFailedError(`Commit refused: ${o.topic}-${o.partition} is no longer assigned to member ${m.memberId} of group ${this.groupId}`);
      }
    }
    m.lastSeen = this.cluster.clock();
    this.cluster.commitOffsets(this.groupId, offsets);
  }

  assignment(): MemberAssignment {
    return this.delivered;
  }

  onAssignmentChange(listener: AssignmentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  memberId(): string | undefined {
    return this.member?.memberId;
  }

  wakeup(): void {
    this.woken = true;
    this.signal.notify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.signal.notify();
    // a failing assignor is the remaining members' problem; they see it on their next poll
    if (this.member !== null) await this.group.leave(this.member).catch(() => {});
  }

  private isAssigned(tp: TopicPartition): boolean {
    return this.delivered.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition);
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaStateError(`Consumer of group ${this.groupId} is closed`);
  }
}
