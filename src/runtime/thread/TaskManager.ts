/**
 * The active tasks of one stream thread (Kafka's TaskManager): creates and closes them
 * as assignments change, routes fetched records to them, runs them, and commits them.
 *
 * The commit, in this order (design.md, "State and the commit protocol"):
 * 1. Flush: every task's prepareCommit() flushes its stores' caches, so dirty entries
 *    are forwarded downstream and written to their changelogs through the collector.
 * 2. Make Kafka durable (at-least-once): await the producer's acknowledgement of every
 *    record sent so far, THEN commit the tasks' input offsets through the consumer. An
 *    offset is never committed before the output and changelog records it covers are.
 *    (exactly-once will instead send the offsets in the task's transaction and commit it)
 * 3. Commit the persistent stores: each RocksDB store writes its uncommitted data with
 *    the changelog offset it now reflects (the last acknowledged offset of its changelog
 *    partition) in one WriteBatch. A crash before this step leaves a store behind Kafka;
 *    restore replays its changelog from that stored offset + 1. In-memory stores have
 *    nothing to write and restore from the beginning of their changelogs.
 * A clean close runs step 3 again for every task (also those with nothing to commit, whose
 * stores may hold restored data) before closing the stores; a dirty close drops what the
 * stores did not commit.
 */
import { StateDirectoryLockedError } from '../../errors.js';
import type { ThreadCache } from '../../state/internals/ThreadCache.js';
import { StateDirectory } from '../../state/rocksdb/TaskStateDirectory.js';
import type { StateStore } from '../../state/StateStore.js';
import type { BuildDefaults } from '../../topology/InternalTopologyBuilder.js';
import type { GroupConsumer, TopicPartition, TopicPartitionOffset } from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import { StreamTask } from '../task/StreamTask.js';
import type { TopologyMetadata } from '../topics/TopologyMetadata.js';
import type { ActiveTask } from './ActiveTask.js';
import { type RecordCollectorImpl, TaskCollector } from './RecordCollectorImpl.js';

export interface TaskManagerDeps {
  readonly config: ResolvedStreamsConfig;
  readonly meta: TopologyMetadata;
  readonly defaults: BuildDefaults;
  readonly cache: ThreadCache;
  readonly collector: RecordCollectorImpl;
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
    const collector = new TaskCollector(this.deps.collector);
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
      restoring: true,
      idleSince: -1,
      stateDir,
      lock: null,
      lockWaitSince: -1,
      changelogOffsets: new Map(),
    };
    this.tasks.set(key, active);
    for (const tp of partitions) this.byPartition.set(tpKey(tp.topic, tp.partition), active);
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
   * stream time after each record as the test driver does. With maxTaskIdleMs > 0 a task
   * with some input partitions empty waits that long for them before processing.
   */
  process(maxRecords: number): number {
    let total = 0;
    const idleMs = this.deps.config.maxTaskIdleMs;
    const now = this.deps.clock();
    for (const t of this.tasks.values()) {
      if (t.restoring || !t.task.hasRecordsQueued()) continue;
      if (idleMs > 0 && t.partitions.length > 1 && !t.task.allPartitionsBuffered()) {
        if (t.idleSince < 0) t.idleSince = now;
        if (now - t.idleSince < idleMs) continue;
      } else {
        t.idleSince = -1;
      }
      while (total < maxRecords && t.task.process()) {
        total++;
        t.task.maybePunctuateStreamTime();
      }
    }
    return total;
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

  /** Commits every running task that needs it; see the numbered protocol at the top. Returns the committed offsets. */
  async commit(consumer: GroupConsumer): Promise<TopicPartitionOffset[]> {
    const tasks = this.all().filter((t) => !t.restoring && t.task.commitNeededOrRequested());
    if (tasks.length === 0) return [];
    // 1. flush caches: forward dirty entries, log them to the changelogs
    for (const t of tasks) t.task.prepareCommit();
    this.afterStep('caches-flushed', tasks);
    // 2. at-least-once: every record sent so far is acknowledged, then the offsets
    await this.deps.collector.flush();
    const offsets: TopicPartitionOffset[] = tasks.flatMap((t) => t.task.committableOffsets());
    if (offsets.length > 0) await consumer.commitOffsets(offsets);
    this.afterStep('kafka-committed', tasks);
    // 3. persistent stores: their data with the changelog offset it reflects
    for (const t of tasks) {
      this.commitStores(t);
      t.task.postCommit();
    }
    this.afterStep('stores-committed', tasks);
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
    const acked = this.deps.collector.ackedOffsets();
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
