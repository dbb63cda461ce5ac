/**
 * The active tasks of one stream thread (Kafka's TaskManager): creates and closes them
 * as assignments change, routes fetched records to them, runs them, and commits them.
 *
 * The commit, in this order (design.md, "State and the commit protocol"):
 * 1. Flush: every task's prepareCommit() flushes its stores' caches, so dirty entries
 *    are forwarded downstream and written to their changelogs through the collector.
 * 2. Make Kafka durable.
 *    at_least_once: await the producer's acknowledgement of every record sent so far,
 *    THEN commit the tasks' input offsets through the consumer. An offset is never
 *    committed before the output and changelog records it covers are.
 *    exactly_once_v2: per task, await its sends, add its input offsets to its open
 *    transaction (sendOffsets) and commit the transaction: output, changelog records and
 *    offsets become visible together or not at all. A task whose transaction fails
 *    (fenced, or outcome unknown) is closed dirty: see "Exactly-once" below.
 * 3. Commit the persistent stores: each RocksDB store writes its uncommitted data with
 *    the changelog offset it now reflects (the last acknowledged offset of its changelog
 *    partition) in one WriteBatch. A crash before this step leaves a store behind Kafka;
 *    restore replays its changelog from that stored offset + 1. In-memory stores have
 *    nothing to write and restore from the beginning of their changelogs.
 * A clean close runs step 3 again for every task (also those with nothing to commit, whose
 * stores may hold restored data) before closing the stores; a dirty close drops what the
 * stores did not commit.
 *
 * Exactly-once: each task has its own transactional producer, transactional id
 * `<applicationId>-<taskId>` (kafkajs has no KIP-447, so fencing comes from the id, not
 * the group generation). A new owner initialises that id before it reads the task's
 * committed offsets: that fences the old owner and completes (aborts) its open
 * transaction, so the offsets read are final. A task fenced or failed in a transaction
 * is closed dirty (its RocksDB stores drop what they did not commit; in-memory stores
 * are rebuilt from their changelogs) and set aside as lost: the next assignment that
 * still gives it to this thread re-creates it from the committed offsets, and so does
 * `reviveLost` when no rebalance came (the transaction timed out while we still own it).
 */
import { StateDirectoryLockedError, TaskCorruptedError, TaskMigratedError } from '../../errors.js';
import type { ThreadCache } from '../../state/internals/ThreadCache.js';
import { StateDirectory } from '../../state/rocksdb/TaskStateDirectory.js';
import type { StateStore } from '../../state/StateStore.js';
import type { BuildDefaults } from '../../topology/InternalTopologyBuilder.js';
import type { GroupConsumer, KafkaAdmin, KafkaPort, TopicPartition, TopicPartitionOffset } from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import { StreamTask } from '../task/StreamTask.js';
import type { TopologyMetadata } from '../topics/TopologyMetadata.js';
import type { ActiveTask } from './ActiveTask.js';
import { type RecordCollectorImpl, TaskCollector } from './RecordCollectorImpl.js';
import { TransactionalSender } from './TransactionalSender.js';

/**
 * The consumer lag of a partition (records on the broker not yet delivered to the task),
 * or undefined when not known yet.
 */
export type LagLookup = (tp: TopicPartition) => number | undefined;

/** Longest a task waits for records the broker has and the consumer does not deliver. */
const LAG_WAIT_LIMIT_MS = 10_000;

/** How long a lost task (fenced, no rebalance heard of) waits before it is re-created. */
const REVIVE_LOST_AFTER_MS = 5_000;

/** What exactly-once needs to give each task its own transactional producer. */
export interface ExactlyOnceDeps {
  readonly port: KafkaPort;
  readonly admin: KafkaAdmin;
  /** Prefix of the task producers' client ids. */
  readonly clientId: string;
  /** A record collector over a task's transactional sender. */
  readonly newCollector: (sender: TransactionalSender) => RecordCollectorImpl;
}

export interface TaskManagerDeps {
  readonly config: ResolvedStreamsConfig;
  readonly meta: TopologyMetadata;
  readonly defaults: BuildDefaults;
  readonly cache: ThreadCache;
  /** The thread's collector (at_least_once; unused under exactly-once). */
  readonly collector: RecordCollectorImpl;
  /** Set under exactly_once_v2. */
  readonly eos?: ExactlyOnceDeps | null;
  readonly globalStores: ReadonlyMap<string, StateStore>;
  readonly clock: () => number;
  /** Fault injection for tests: called after each commit step; throwing acts as a crash there. */
  readonly commitHook?: CommitHook | null;
}

/** The commit steps, as numbered in the comment at the top of this file. */
export type CommitStep = 'caches-flushed' | 'kafka-committed' | 'stores-committed';
/** Called after a commit step with the ids of the tasks being committed. */
export type CommitHook = (step: CommitStep, taskIds: readonly string[]) => void;

export class TaskManager {
  private readonly tasks = new Map<string, ActiveTask>();
  private readonly byPartition = new Map<string, ActiveTask>();
  private readonly stateDirectory: StateDirectory;
  /** Tasks closed after a failed transaction, still assigned: re-created later (see the top). */
  private readonly lost = new Map<string, { id: ActiveTask['id']; partitions: readonly TopicPartition[]; since: number }>();
  /** Producers being closed in the background (dirty closes), awaited by `settle()`. */
  private closing: Promise<void>[] = [];

  constructor(private readonly deps: TaskManagerDeps) {
    this.stateDirectory = new StateDirectory({ applicationId: deps.config.applicationId, stateDir: deps.config.stateDir });
  }

  /** Ids of the tasks this thread owns, sorted (its subscription's prevTasks). */
  taskIds(): string[] {
    return [...this.tasks.values()].sort((a, b) => a.id.subtopology - b.id.subtopology || a.id.partition - b.id.partition).map((t) => t.key);
  }

  all(): ActiveTask[] {
    return [...this.tasks.values()];
  }

  restoring(): ActiveTask[] {
    return this.all().filter((t) => t.restoring);
  }

  /**
   * Applies a new assignment (all partitions owned now). Tasks whose partitions left are
   * closed dirty: the rebalance has already moved them (no port can block it), so
   * their offsets can no longer be committed; whoever owns them now restarts from the
   * last commit. New tasks are created, to be restored before they process.
   */
  handleAssignment(partitions: readonly TopicPartition[]): { closed: number; created: number } {
    const wanted = new Map(this.deps.meta.groupByTask(partitions).map((t) => [t.id.toString(), t]));
    let closed = 0;
    for (const t of this.all()) {
      if (!wanted.has(t.key)) {
        this.closeDirty(t);
        closed++;
      }
    }
    this.lost.clear(); // the assignment says which of them are still ours
    let created = 0;
    for (const [key, tp] of wanted) {
      if (this.tasks.has(key)) continue;
      this.create(key, tp.id, tp.partitions);
      created++;
    }
    return { closed, created };
  }

  private create(key: string, id: ActiveTask['id'], partitions: readonly TopicPartition[]): void {
    const sub = this.deps.meta.subtopology(id.subtopology);
    if (sub === undefined) throw new Error(`No sub-topology ${id.subtopology} for task ${key}`);
    const topology = this.deps.meta.internal.build(this.deps.defaults, sub.nodeNames);
    const eos = this.deps.eos ?? null;
    const sender = eos === null ? null : new TransactionalSender(key);
    const sink = sender === null ? this.deps.collector : (eos as ExactlyOnceDeps).newCollector(sender);
    const collector = new TaskCollector(sink);
    const persistent = [...topology.stores.values()].some((s) => s.persistent);
    const stateDir = persistent ? this.stateDirectory.taskDirectory(id) : null;
    const task = new StreamTask({
      id,
      topology,
      config: this.deps.config,
      inputPartitions: partitions,
      collector,
      cache: this.deps.cache,
      clock: this.deps.clock,
      globalStores: this.deps.globalStores,
      ...(stateDir === null ? {} : { stateDir }),
    });
    const active: ActiveTask = {
      id,
      key,
      task,
      topology,
      partitions,
      collector,
      sink,
      sender,
      restoring: true,
      idleDeadlines: new Map(),
      lagWaitSince: -1,
      stateDir,
      lock: null,
      lockWaitSince: -1,
      changelogOffsets: new Map(),
    };
    this.tasks.set(key, active);
    for (const tp of partitions) this.byPartition.set(tpKey(tp.topic, tp.partition), active);
  }

  /**
   * Exactly-once: gives every new task its transactional producer, then moves its input
   * partitions to the committed offsets. In this order: initialising the producer fences
   * the previous owner and completes its open transaction, so the offsets read after it
   * are final (kafkajs has no KIP-447 "require stable" offset fetch).
   */
  async initTransactions(consumer: GroupConsumer): Promise<void> {
    const eos = this.deps.eos;
    if (eos === undefined || eos === null) return;
    const pending = this.all().filter((t) => t.sender !== null && t.sender.producer === null);
    await Promise.all(
      pending.map(async (t) => {
        const sender = t.sender as TransactionalSender;
        sender.producer = await eos.port.transactionalProducer({
          transactionalId: `${this.deps.config.applicationId}-${t.key}`,
          clientId: `${eos.clientId}-${t.key}-producer`,
          transactionTimeoutMs: transactionTimeoutMs(this.deps.config.commitIntervalMs),
        });
        const committed = await eos.admin.fetchCommittedOffsets(this.deps.config.applicationId, t.partitions);
        if (this.tasks.get(t.key) !== t) return; // closed meanwhile
        for (const c of committed) if (c.offset !== null) consumer.seek({ topic: c.topic, partition: c.partition }, c.offset);
      }),
    );
  }

  /**
   * Re-creates lost tasks (see the top) that are still assigned after REVIVE_LOST_AFTER_MS
   * without a new assignment; true if any was. Call initTransactions next.
   */
  reviveLost(assigned: readonly TopicPartition[]): boolean {
    if (this.lost.size === 0) return false;
    const now = this.deps.clock();
    const owned = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)));
    let revived = false;
    for (const [key, l] of this.lost) {
      if (now - l.since < REVIVE_LOST_AFTER_MS) continue;
      this.lost.delete(key);
      if (!l.partitions.every((tp) => owned.has(tpKey(tp.topic, tp.partition)))) continue;
      console.warn(`kstreams: re-creating task ${key} from its committed offsets after its transaction failed`);
      this.create(key, l.id, l.partitions);
      revived = true;
    }
    return revived;
  }

  /** Closes a task whose transaction failed (fenced or outcome unknown) and sets it aside as lost. */
  private loseTask(t: ActiveTask, error: Error): void {
    console.warn(`kstreams: task ${t.key}: ${error.message}; closing it dirty, its uncommitted work is discarded`);
    this.closeDirty(t);
    this.lost.set(t.key, { id: t.id, partitions: t.partitions, since: this.deps.clock() });
  }

  /** The collectors output goes through: the thread's, or under exactly-once one per task. */
  collectors(): RecordCollectorImpl[] {
    if (this.deps.eos === undefined || this.deps.eos === null) return [this.deps.collector];
    return this.all().map((t) => t.sink);
  }

  /**
   * Rethrows a send failure. Under exactly-once, a task whose producer was fenced or whose
   * transaction failed is lost instead (closed dirty), and the thread goes on.
   */
  checkSendFailures(): void {
    if (this.deps.eos === undefined || this.deps.eos === null) {
      this.deps.collector.throwIfFailed();
      return;
    }
    for (const t of this.all()) {
      const failure = t.sink.failed();
      if (failure === null) continue;
      if (!isTransactionLoss(failure)) throw failure;
      this.loseTask(t, failure);
    }
  }

  /**
   * Locks the task directory of a task with persistent stores before they open; true
   * when the task may restore. A lock held by another owner (the previous owner of the
   * task, which has not yet heard that it lost it) is waited for, up to `timeoutMs`;
   * then its StateDirectoryLockedError, naming the directory and the holder, is thrown.
   */
  lockStateDirectory(t: ActiveTask, timeoutMs: number): boolean {
    if (t.stateDir === null || t.lock !== null) return true;
    try {
      t.lock = this.stateDirectory.lockTask(t.id);
      t.lockWaitSince = -1;
      return true;
    } catch (e) {
      if (!(e instanceof StateDirectoryLockedError)) throw e;
      const now = this.deps.clock();
      if (t.lockWaitSince < 0) t.lockWaitSince = now;
      if (now - t.lockWaitSince >= timeoutMs) throw e;
      return false;
    }
  }

  /** Buffers fetched records in their task; returns the task's buffered count for that partition. */
  addRecords(topic: string, partition: number, records: Parameters<StreamTask['addRecords']>[2]): number {
    const t = this.byPartition.get(tpKey(topic, partition));
    if (t === undefined) return 0; // a partition whose task was just closed
    t.task.addRecords(topic, partition, records);
    return t.task.bufferedRecords(topic, partition);
  }

  bufferedRecords(tp: TopicPartition): number {
    return this.byPartition.get(tpKey(tp.topic, tp.partition))?.task.bufferedRecords(tp.topic, tp.partition) ?? 0;
  }

  /**
   * Processes buffered records of running tasks, up to `maxRecords` in all, punctuating
   * stream time after each record as the test driver does. Before each record a task with
   * several input partitions checks that it may go on (Kafka's max.task.idle.ms rules, see
   * readyToProcess); the partitions it waits on for want of lag information are left in
   * `lagWanted` for the thread to look up.
   */
  process(maxRecords: number, lagOf: LagLookup): number {
    let total = 0;
    const now = this.deps.clock();
    this.lagWanted = [];
    for (const t of this.tasks.values()) {
      if (t.restoring) continue;
      while (total < maxRecords && t.task.hasRecordsQueued() && this.readyToProcess(t, now, lagOf) && t.task.process()) {
        total++;
        t.task.maybePunctuateStreamTime();
      }
    }
    return total;
  }

  /** Partitions whose lag the last process() needed and did not know (or knew to be > 0). */
  lagWanted: TopicPartition[] = [];

  /**
   * Kafka's PartitionGroup.readyToProcess: with max.task.idle.ms -1 always; else every
   * empty input partition must be known to have nothing more on the broker (lag 0; with
   * lag > 0 or unknown the task waits for the consumer), and then waits up to
   * max.task.idle.ms for new data before the task goes on without it. A wait for lag
   * that lasts LAG_WAIT_LIMIT_MS (records the broker reports but the consumer does not
   * deliver) ends with a warning rather than a stall.
   */
  private readyToProcess(t: ActiveTask, now: number, lagOf: LagLookup): boolean {
    const idleMs = this.deps.config.maxTaskIdleMs;
    if (idleMs < 0 || t.partitions.length < 2) return true;
    let queued = false;
    let enforced = false;
    for (const tp of t.partitions) {
      const key = tpKey(tp.topic, tp.partition);
      if (t.task.bufferedRecords(tp.topic, tp.partition) > 0) {
        t.idleDeadlines.delete(key);
        queued = true;
        continue;
      }
      const lag = lagOf(tp);
      if (lag === undefined || lag > 0) {
        t.idleDeadlines.delete(key);
        if (t.lagWaitSince < 0) t.lagWaitSince = now;
        if (now - t.lagWaitSince < LAG_WAIT_LIMIT_MS) {
          this.lagWanted.push(tp);
          return false;
        }
        console.warn(
          `kstreams: task ${t.key} waited ${LAG_WAIT_LIMIT_MS} ms for records of ${tp.topic}-${tp.partition} (lag ${lag ?? 'unknown'}) that the consumer did not deliver; processing without them`,
        );
        t.lagWaitSince = now;
        enforced = true;
        continue;
      }
      let deadline = t.idleDeadlines.get(key);
      if (deadline === undefined) {
        deadline = now + idleMs;
        t.idleDeadlines.set(key, deadline);
      }
      if (now < deadline) return false;
      enforced = true;
    }
    if (!enforced) t.lagWaitSince = -1;
    return !enforced || queued;
  }

  /** Fires due wall-clock punctuations of running tasks. */
  punctuateSystemTime(): void {
    for (const t of this.tasks.values()) if (!t.restoring) t.task.maybePunctuateSystemTime();
  }

  /** Whether any running task processed or punctuated since its last commit. */
  commitNeeded(): boolean {
    for (const t of this.tasks.values()) if (!t.restoring && t.task.commitNeededOrRequested()) return true;
    return false;
  }

  /**
   * Whether to commit before the interval is up: a processor asked for it
   * (context.commit()), or the persistent stores hold more than `maxUncommittedBytes`
   * of uncommitted writes (they live in memory until commit step 3).
   */
  commitDue(maxUncommittedBytes: number): boolean {
    let bytes = 0;
    for (const t of this.tasks.values()) {
      if (t.restoring) continue;
      if (t.task.commitRequestedByProcessor()) return true;
      bytes += t.task.persistentStores()?.uncommittedBytes() ?? 0;
    }
    return bytes > maxUncommittedBytes;
  }

  /** Commits every running task that needs it; see the numbered protocol at the top. Returns the committed offsets. */
  async commit(consumer: GroupConsumer): Promise<TopicPartitionOffset[]> {
    let tasks = this.all().filter((t) => !t.restoring && t.task.commitNeededOrRequested());
    if (tasks.length === 0) return [];
    // 1. flush caches: forward dirty entries, log them to the changelogs
    for (const t of tasks) t.task.prepareCommit();
    this.afterStep('caches-flushed', tasks);
    // 2. make Kafka durable
    let offsets: TopicPartitionOffset[];
    if (this.deps.eos === undefined || this.deps.eos === null) {
      // at-least-once: every record sent so far is acknowledged, then the offsets
      await this.deps.collector.flush();
      offsets = tasks.flatMap((t) => t.task.committableOffsets());
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    } else {
      // exactly-once: each task's transaction with its offsets; failed tasks are lost
      const results = await Promise.allSettled(tasks.map((t) => this.commitTransaction(t)));
      offsets = [];
      const committed: ActiveTask[] = [];
      let fatal: unknown = null;
      results.forEach((r, i) => {
        const t = tasks[i] as ActiveTask;
        if (r.status === 'fulfilled') {
          offsets.push(...r.value);
          committed.push(t);
        } else if (isTransactionLoss(r.reason)) {
          this.loseTask(t, r.reason as Error);
        } else {
          fatal ??= r.reason;
        }
      });
      if (fatal !== null) throw fatal;
      tasks = committed;
    }
    this.afterStep('kafka-committed', tasks);
    // 3. persistent stores: their data with the changelog offset it reflects
    for (const t of tasks) {
      this.commitStores(t);
      t.task.postCommit();
    }
    this.afterStep('stores-committed', tasks);
    return offsets;
  }

  /** Step 2 under exactly-once for one task; returns the offsets it committed. */
  private async commitTransaction(t: ActiveTask): Promise<TopicPartitionOffset[]> {
    await t.sink.flush();
    const producer = (t.sender as TransactionalSender).producer;
    if (producer === null) throw new TaskCorruptedError(`Task ${t.key} has no transactional producer`);
    const offsets = t.task.committableOffsets();
    if (!producer.inTransaction()) {
      if (offsets.length === 0) return offsets; // nothing sent, nothing consumed
      await producer.beginTransaction();
    }
    await producer.sendOffsets(this.deps.config.applicationId, offsets);
    await producer.commitTransaction();
    return offsets;
  }

  private afterStep(step: CommitStep, tasks: readonly ActiveTask[]): void {
    this.deps.commitHook?.(
      step,
      tasks.map((t) => t.key),
    );
  }

  /**
   * Step 3 for one task: each persistent store's data and the last changelog offset it
   * reflects, the highest of what was restored and what the producer acknowledged (every
   * record sent so far is acknowledged by now). A store with no offset keeps its own.
   */
  private commitStores(t: ActiveTask): void {
    const stores = t.task.persistentStores();
    if (stores === undefined) return;
    const acked = t.sink.ackedOffsets();
    for (const [storeName, topic] of t.topology.changelogTopics) {
      const offset = Math.max(t.changelogOffsets.get(storeName) ?? -1, acked.get(tpKey(topic, t.id.partition)) ?? -1);
      if (offset >= 0) t.changelogOffsets.set(storeName, offset);
    }
    stores.commit(t.changelogOffsets);
  }

  /** Closes a task after its commit (steps 1 and 2): commits its stores, then closes; nothing it emits while closing is sent. */
  closeClean(t: ActiveTask): void {
    t.collector.muted = true;
    this.remove(t);
    try {
      this.commitStores(t);
    } finally {
      try {
        t.task.close();
      } finally {
        this.releaseLock(t);
        this.closeProducer(t);
      }
    }
  }

  /** Closes a task without committing; what it would emit is dropped (no commit covers it). */
  closeDirty(t: ActiveTask): void {
    t.collector.muted = true;
    this.remove(t);
    try {
      t.task.close();
    } catch (e) {
      console.warn(`kstreams: error closing task ${t.key} (dirty close, ignored): ${(e as Error).message}`);
    }
    this.releaseLock(t);
    if (t.sender !== null) t.sink.discardBuffered();
    this.closeProducer(t);
  }

  /** Exactly-once: closes the task's producer in the background (an open transaction is aborted). */
  private closeProducer(t: ActiveTask): void {
    if (t.sender === null) return;
    const sender = t.sender;
    this.closing.push(
      t.sink
        .settle()
        .then(() => sender.close())
        .catch((e: unknown) => console.warn(`kstreams: closing the producer of task ${t.key}: ${(e as Error).message}`)),
    );
  }

  /** Waits for the task producers being closed. */
  async settle(): Promise<void> {
    const closing = this.closing;
    this.closing = [];
    await Promise.all(closing);
  }

  private releaseLock(t: ActiveTask): void {
    t.lock?.release();
    t.lock = null;
  }

  /** Closes every task: cleanly (after a successful commit) or dirty. */
  closeAll(clean: boolean): void {
    for (const t of this.all()) {
      if (clean && !t.restoring) this.closeClean(t);
      else this.closeDirty(t);
    }
  }

  private remove(t: ActiveTask): void {
    this.tasks.delete(t.key);
    for (const tp of t.partitions) {
      const k = tpKey(tp.topic, tp.partition);
      if (this.byPartition.get(k) === t) this.byPartition.delete(k);
    }
  }
}

/**
 * Kafka Streams sets transaction.timeout.ms to 10 s under exactly-once, so that the
 * coordinator aborts a dead owner's transaction soon. A longer commit interval needs a
 * longer timeout, or every transaction would be aborted before its commit.
 */
function transactionTimeoutMs(commitIntervalMs: number): number {
  return Math.max(10_000, 2 * commitIntervalMs);
}

/** A failure that loses a task's transaction (fenced, or outcome unknown) rather than the thread. */
function isTransactionLoss(e: unknown): boolean {
  // the collector keeps these as they are (RecordCollectorImpl.onFailure), never wrapped
  return e instanceof TaskMigratedError || e instanceof TaskCorruptedError;
}
