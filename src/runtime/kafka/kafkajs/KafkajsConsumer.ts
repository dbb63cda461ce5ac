/**
 * The pull-style group consumer over kafkajs' push-style `run({ eachBatch })`.
 *
 * kafkajs runs its own fetch loop and calls eachBatch; the port wants the caller to
 * pull. The bridge: eachBatch appends the batch to a per-partition buffer, marks it
 * fetched (resolveOffset moves kafkajs' fetch position) and returns at once, so kafkajs'
 * loop keeps heartbeating however slowly the caller polls. A partition whose buffer is
 * full is paused inside kafkajs (backpressure) and resumed once `poll()` drains it.
 * Caller pauses are kafkajs pauses too; buffered records of a paused partition stay.
 *
 * Rebalances: kafkajs only reports them (GROUP_JOIN), it cannot block them. At a join
 * the buffers of lost partitions are dropped, kept partitions are re-seeked to the
 * caller's position (kafkajs restarts every partition at its committed offset after a
 * join), pauses are re-applied, and the change is queued for the next `poll()`.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { RawRecord } from '../../task/RawRecord.js';
import { CommitFailedError, KafkaStateError } from '../errors.js';
import type {
  AssignmentListener,
  FetchedBatch,
  GroupConsumer,
  GroupConsumerConfig,
  MemberAssignment,
  TopicPartition,
  TopicPartitionOffset,
  TopicSubscription,
} from '../KafkaPort.js';
import { EMPTY_ASSIGNMENT, partitionsMinus, Signal, sortPartitions, tpKey } from '../util.js';
import { readOwnAssignment, toKafkajsAssigner } from './assignor.js';
import { toStreamsError } from './errors.js';
import { toRawRecord, toTopicPartitions } from './messages.js';

interface Buffered {
  readonly records: RawRecord[];
  highWatermark: number;
  /** The offset after the last one fetched, transaction markers and aborted records included (-1: unknown). */
  next: number;
}

/** The assignment kafkajs reported last, not yet (or already) delivered to the caller. */
interface Latest {
  readonly seq: number;
  /** '' after a crash: the member is gone and everything is lost. */
  readonly memberId: string;
  readonly partitions: readonly TopicPartition[];
  readonly keys: ReadonlySet<string>;
  readonly assignment: Promise<MemberAssignment>;
}

export interface KafkajsConsumerOptions {
  /** Longest a fetch waits on the broker; bounds how late pause/seek/heartbeats happen (default 500). */
  readonly fetchMaxWaitMs?: number;
}

export class KafkajsConsumer implements GroupConsumer {
  readonly groupId: string;
  private consumer: Consumer | null = null;
  private readonly buffers = new Map<string, Buffered>();
  private readonly positions = new Map<string, number>();
  private readonly userPaused = new Map<string, TopicPartition>();
  private readonly fullPaused = new Map<string, TopicPartition>();
  private readonly listeners = new Set<AssignmentListener>();
  private readonly signal = new Signal();
  private readonly maxPollRecords: number;
  private readonly maxBuffered: number;
  private latest: Latest | null = null;
  private seq = 0;
  private delivered: MemberAssignment = EMPTY_ASSIGNMENT;
  private deliveredSeq = 0;
  private deliveredMemberId: string | undefined;
  private fatal: Error | null = null;
  private commitEvents = 0;
  private woken = false;
  private closed = false;
  private rotation = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: GroupConsumerConfig,
    private readonly options: KafkajsConsumerOptions = {},
  ) {
    this.groupId = config.groupId;
    this.maxPollRecords = config.maxPollRecords ?? 1000;
    this.maxBuffered = config.maxBufferedRecordsPerPartition ?? 2000;
  }

  async subscribe(topics: readonly (string | TopicSubscription)[]): Promise<void> {
    this.ensureOpen();
    if (this.consumer !== null) throw new KafkaStateError(`Consumer of group ${this.groupId} is already subscribed`);
    try {
      const c = this.kafka.consumer({
        groupId: this.config.groupId,
        partitionAssigners: [toKafkajsAssigner(this.config.assignor)],
        readUncommitted: (this.config.isolationLevel ?? 'read_uncommitted') === 'read_uncommitted',
        sessionTimeout: this.config.sessionTimeoutMs ?? 45_000,
        rebalanceTimeout: this.config.rebalanceTimeoutMs ?? 60_000,
        heartbeatInterval: this.config.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
        allowAutoTopicCreation: false,
      });
      this.consumer = c;
      c.on(c.events.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberId, e.payload.memberAssignment));
      c.on(c.events.COMMIT_OFFSETS, () => this.commitEvents++);
      c.on(c.events.CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart));
      // batches of only transaction markers or aborted records never reach eachBatch
      c.on(c.events.END_BATCH_PROCESS, (e) => {
        const p = e.payload;
        if (p.batchSize === 0 && p.firstOffset !== null) this.onFilteredBatch(p.topic, p.partition, Number(p.firstOffset), Number(p.lastOffset) + 1);
      });
      await c.connect();
      // kafkajs takes the reset policy per subscribe call
      const subs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
      for (const fromBeginning of [true, false]) {
        const list = subs.filter((s) => ((s.offsetReset ?? this.config.offsetReset ?? 'earliest') === 'earliest') === fromBeginning);
        if (list.length > 0) await c.subscribe({ topics: list.map((s) => s.topic), fromBeginning });
      }
      // resolves after the first join (or a crash, reported by poll)
      await c.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    } catch (e) {
      throw toStreamsError(e, `subscribe group ${this.groupId}`);
    }
  }

  private onGroupJoin(memberId: string, memberAssignment: Record<string, number[]>): void {
    const partitions = sortPartitions(Object.entries(memberAssignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition }))));
    const keys = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    const sameMember = memberId === this.deliveredMemberId;
    // kafkajs restarts every partition at its committed offset: drop what was buffered
    // and put kept partitions back where the caller is
    this.buffers.clear();
    this.kafkajsResume([...this.fullPaused.values()].filter((tp) => !this.userPaused.has(tpKey(tp.topic, tp.partition))));
    this.fullPaused.clear();
    if (sameMember) {
      for (const tp of partitions) {
        const pos = this.positions.get(tpKey(tp.topic, tp.partition));
        if (pos !== undefined) this.kafkajsSeek(tp, pos);
      }
      // a restarted kafkajs consumer group has forgotten pauses
      this.kafkajsPause(partitions.filter((tp) => this.userPaused.has(tpKey(tp.topic, tp.partition))));
    }
    const seq = ++this.seq;
    const assignment = readOwnAssignment(this.consumer as Consumer, memberId, partitions, () => this.latest?.seq === seq && !this.closed);
    this.latest = { seq, memberId, partitions, keys, assignment };
    this.signal.notify();
  }

  private onCrash(error: Error, restart: boolean): void {
    // the member is gone: whatever it owned is lost, a restart joins as a new member
    this.buffers.clear();
    this.fullPaused.clear();
    this.latest = { seq: ++this.seq, memberId: '', partitions: [], keys: new Set(), assignment: Promise.resolve(EMPTY_ASSIGNMENT) };
    if (!restart) this.fatal = toStreamsError(error, `consumer of group ${this.groupId} stopped`);
    this.signal.notify();
  }

  private async onBatch({ batch, resolveOffset, isStale }: EachBatchPayload): Promise<void> {
    const key = tpKey(batch.topic, batch.partition);
    if (this.closed || isStale() || batch.messages.length === 0 || this.latest?.keys.has(key) !== true) return;
    let buf = this.buffers.get(key);
    if (buf === undefined) {
      buf = { records: [], highWatermark: -1, next: -1 };
      this.buffers.set(key, buf);
    }
    const last = buf.records[buf.records.length - 1];
    const from = last !== undefined ? last.offset + 1 : (this.positions.get(key) ?? 0);
    for (const m of batch.messages) {
      const r = toRawRecord(batch.topic, batch.partition, m);
      if (r.offset >= from) buf.records.push(r);
    }
    buf.highWatermark = Number(batch.highWatermark);
    buf.next = Number(batch.lastOffset()) + 1;
    // the last visible message; kafkajs moves past trailing control records itself
    resolveOffset((batch.messages[batch.messages.length - 1] as { offset: string }).offset);
    if (buf.records.length >= this.maxBuffered && !this.fullPaused.has(key)) {
      const tp = { topic: batch.topic, partition: batch.partition };
      this.fullPaused.set(key, tp);
      this.kafkajsPause([tp]);
    }
    this.signal.notify();
  }

  /**
   * A fetched batch that held only transaction markers or aborted records: the position
   * moves past it (else a read_committed reader could wait forever for an end offset
   * that lies on a commit marker), once the records buffered before it are returned.
   */
  private onFilteredBatch(topic: string, partition: number, first: number, next: number): void {
    const key = tpKey(topic, partition);
    if (this.closed || this.latest?.keys.has(key) !== true) return;
    const buf = this.buffers.get(key);
    if (buf !== undefined && buf.records.length > 0) {
      buf.next = Math.max(buf.next, next);
      return;
    }
    const pos = this.positions.get(key) ?? 0;
    // a batch from before a seek back is not where the caller is
    if (first >= pos && next > pos) this.positions.set(key, next);
  }

  async poll(maxWaitMs: number): Promise<FetchedBatch[]> {
    this.ensureOpen();
    if (this.consumer === null) throw new KafkaStateError('Call subscribe() before poll()');
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      if (this.fatal !== null) throw this.fatal;
      if (this.closed) return [];
      await this.deliverAssignment();
      const out = this.drain();
      const remaining = deadline - Date.now();
      if (out.length > 0 || this.woken || remaining <= 0) {
        this.woken = false;
        return out;
      }
      await this.signal.wait(remaining);
    }
  }

  private async deliverAssignment(): Promise<void> {
    for (;;) {
      const latest = this.latest;
      if (latest === null || latest.seq === this.deliveredSeq) return;
      const next = await latest.assignment;
      if (this.latest !== latest) continue; // superseded while reading userData
      const prev = this.delivered;
      const lost = this.deliveredMemberId !== undefined && latest.memberId !== this.deliveredMemberId;
      const revoked = lost ? [...prev.partitions] : partitionsMinus(prev.partitions, next.partitions);
      const assigned = lost ? [...next.partitions] : partitionsMinus(next.partitions, prev.partitions);
      // pauses end with ownership (kafkajs keeps them, so lift them there too)
      const unpaused = lost ? [...this.userPaused.values()] : revoked.filter((tp) => this.userPaused.has(tpKey(tp.topic, tp.partition)));
      if (lost) this.positions.clear();
      for (const tp of [...revoked, ...unpaused]) {
        this.positions.delete(tpKey(tp.topic, tp.partition));
        this.userPaused.delete(tpKey(tp.topic, tp.partition));
      }
      this.kafkajsResume(unpaused);
      const first = this.deliveredSeq === 0;
      this.delivered = next;
      this.deliveredSeq = latest.seq;
      this.deliveredMemberId = latest.memberId;
      if (first || revoked.length > 0 || assigned.length > 0 || !prev.userData.equals(next.userData)) {
        for (const l of [...this.listeners]) await l({ revoked, assigned, assignment: next });
      }
      return;
    }
  }

  /**
   * Takes buffered records of delivered, unpaused partitions, up to maxPollRecords,
   * starting at a rotating partition so that a busy one cannot starve the others.
   */
  private drain(): FetchedBatch[] {
    const out: FetchedBatch[] = [];
    let budget = this.maxPollRecords;
    const parts = this.delivered.partitions;
    const start = parts.length === 0 ? 0 : this.rotation++ % parts.length;
    for (let i = 0; i < parts.length; i++) {
      const tp = parts[(start + i) % parts.length] as TopicPartition;
      const key = tpKey(tp.topic, tp.partition);
      const buf = this.buffers.get(key);
      if (budget <= 0 || buf === undefined || buf.records.length === 0 || this.userPaused.has(key)) continue;
      const records = buf.records.splice(0, budget);
      budget -= records.length;
      const after = (records[records.length - 1] as RawRecord).offset + 1;
      this.positions.set(key, buf.records.length === 0 && buf.next > after ? buf.next : after);
      out.push({ topic: tp.topic, partition: tp.partition, records, highWatermark: buf.highWatermark });
      if (buf.records.length < this.maxBuffered && this.fullPaused.delete(key)) this.kafkajsResume([tp]);
    }
    return out;
  }

  pause(partitions: readonly TopicPartition[]): void {
    const tps = partitions.filter((tp) => this.isDelivered(tp));
    for (const tp of tps) this.userPaused.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
    this.kafkajsPause(tps);
  }

  resume(partitions: readonly TopicPartition[]): void {
    const tps = partitions.filter((tp) => this.userPaused.delete(tpKey(tp.topic, tp.partition)));
    const unblocked = tps.filter((tp) => !this.fullPaused.has(tpKey(tp.topic, tp.partition)));
    this.kafkajsResume(unblocked);
    this.signal.notify();
  }

  paused(): TopicPartition[] {
    return [...this.userPaused.values()];
  }

  seek(partition: TopicPartition, offset: number): void {
    if (!this.isDelivered(partition)) throw new KafkaStateError(`Cannot seek ${partition.topic}-${partition.partition}: not assigned to this consumer`);
    const key = tpKey(partition.topic, partition.partition);
    this.positions.set(key, offset);
    this.buffers.delete(key);
    this.kafkajsSeek(partition, offset);
    if (this.fullPaused.delete(key) && !this.userPaused.has(key)) this.kafkajsResume([partition]);
  }

  position(partition: TopicPartition): number | undefined {
    return this.positions.get(tpKey(partition.topic, partition.partition));
  }

  async commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.ensureOpen();
    const c = this.consumer;
    if (c === null) throw new KafkaStateError('Call subscribe() before commitOffsets()');
    if (offsets.length === 0) return;
    for (const o of offsets) {
      if (this.latest?.keys.has(tpKey(o.topic, o.partition)) !== true) {
        throw new CommitFailedError(`Commit refused: ${o.topic}-${o.partition} is not assigned to this member of group ${this.groupId} (the group rebalanced)`);
      }
    }
    const before = this.commitEvents;
    try {
      await c.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (e) {
      throw toStreamsError(e, `commit offsets of group ${this.groupId}`);
    }
    // kafkajs silently skips a commit while its runner is (re)starting; it emits
    // COMMIT_OFFSETS only for a commit the broker accepted
    if (this.commitEvents === before) throw new CommitFailedError(`Commit of group ${this.groupId} was not sent: the consumer is rejoining`);
  }

  assignment(): MemberAssignment {
    return this.delivered;
  }

  onAssignmentChange(listener: AssignmentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  memberId(): string | undefined {
    return this.latest?.memberId || undefined;
  }

  wakeup(): void {
    this.woken = true;
    this.signal.notify();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal.notify();
    // disconnect() stops the run loop and leaves the group, so partitions move at once
    await this.consumer?.disconnect().catch(() => {});
  }

  // kafkajs throws from pause/resume/seek while it restarts after a crash (no consumer
  // group yet); the state is re-applied at the next join, or lost with the member
  private kafkajsPause(tps: readonly TopicPartition[]): void {
    if (tps.length > 0) this.quietly(() => this.consumer?.pause(toTopicPartitions(tps)));
  }

  private kafkajsResume(tps: readonly TopicPartition[]): void {
    if (tps.length > 0) this.quietly(() => this.consumer?.resume(toTopicPartitions(tps)));
  }

  private kafkajsSeek(tp: TopicPartition, offset: number): void {
    this.quietly(() => this.consumer?.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) }));
  }

  private quietly(fn: () => void): void {
    try {
      fn();
    } catch {
      // see above
    }
  }

  private isDelivered(tp: TopicPartition): boolean {
    return this.delivered.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition);
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaStateError(`Consumer of group ${this.groupId} is closed`);
  }
}
