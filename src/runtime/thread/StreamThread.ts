/**
 * One stream thread (Kafka's StreamThread): a group member with its own consumer,
 * producer, record cache and tasks, run as an async loop. Several threads share one
 * Node process; they interleave at their awaits, never inside a record's processing.
 *
 * One iteration: poll (assignment changes are applied inside, before records arrive),
 * restore new tasks, buffer the fetched records in their tasks (pausing partitions whose
 * buffer is full), process, punctuate, hand the output to the producer, and commit when
 * commitIntervalMs has passed. See TaskManager for the commit order.
 */
import { StreamsError, TaskMigratedError } from '../../errors.js';
import { ThreadCache } from '../../state/internals/ThreadCache.js';
import type { StateStore } from '../../state/StateStore.js';
import type { BuildDefaults } from '../../topology/InternalTopologyBuilder.js';
import { AssignorError, decodeAssignment, type HostInfo, USER_DATA_VERSION } from '../assignment/AssignmentInfo.js';
import { StreamsPartitionAssignor } from '../assignment/StreamsPartitionAssignor.js';
import type {
  AssignmentChange,
  GroupConsumer,
  GroupConsumerConfig,
  KafkaAdmin,
  KafkaPort,
  KafkaProducer,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';
import { StreamThreadState, THREAD_TRANSITIONS } from '../KafkaStreamsState.js';
import type { StateRestoreListener } from '../StateRestoreListener.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import type { TopologyMetadata } from '../topics/TopologyMetadata.js';
import { ChangelogRestorer } from './ChangelogRestorer.js';
import { RecordCollectorImpl } from './RecordCollectorImpl.js';
import { type CommitHook, TaskManager } from './TaskManager.js';

/** Records processed per iteration at most, so polls, punctuations and commits keep coming. */
const MAX_RECORDS_PER_ITERATION = 10_000;
/** How long a new task waits for its state directory lock before the thread fails. */
const STATE_LOCK_TIMEOUT_MS = 60_000;
/** Default of statestoreUncommittedMaxBytes (KIP-892's 64 MiB). */
const DEFAULT_UNCOMMITTED_MAX_BYTES = 64 * 1024 * 1024;
/** Shortest time between two lag lookups (admin ListOffsets) while a task waits for input. */
const LAG_REFRESH_MS = 100;
/** Output records waiting for the producer above which the thread waits before processing more. */
const MAX_BUFFERED_OUTPUT = 50_000;

export interface StreamThreadDeps {
  readonly name: string;
  readonly port: KafkaPort;
  readonly admin: KafkaAdmin;
  readonly config: ResolvedStreamsConfig;
  readonly meta: TopologyMetadata;
  readonly defaults: BuildDefaults;
  /** Partition counts known at start (for StreamPartitioners). */
  readonly partitions: ReadonlyMap<string, number>;
  readonly globalStores: ReadonlyMap<string, StateStore>;
  readonly processId: string;
  readonly cacheBytes: number;
  readonly consumer: Partial<GroupConsumerConfig>;
  readonly pollMs: number;
  readonly repartitionPurgeIntervalMs: number;
  readonly restoreListener: () => StateRestoreListener | null;
  readonly commitHook: CommitHook | null;
  readonly onStateChange: (thread: StreamThread, next: StreamThreadState, prev: StreamThreadState) => void;
  /** The group leader asked every instance to shut down (SHUTDOWN_APPLICATION somewhere). */
  readonly onShutdownRequested: (thread: StreamThread) => void;
}

export class StreamThread {
  private threadState: StreamThreadState = StreamThreadState.CREATED;
  private consumer: GroupConsumer | null = null;
  private producer: KafkaProducer | null = null;
  private collector: RecordCollectorImpl | null = null;
  private tasks: TaskManager | null = null;
  private restorer: ChangelogRestorer | null = null;
  private readonly pausedForBuffer = new Map<string, TopicPartition>();
  /** Records processed by the last iteration. */
  private processedLast = 0;
  /** max.task.idle.ms lag lookups: end offsets and committed offsets by `topic|partition`. */
  private readonly endOffsets = new Map<string, { earliest: number; latest: number }>();
  private readonly committedOffsets = new Map<string, number | null>();
  private lagRefresh: Promise<void> | null = null;
  private lastLagRefresh = 0;
  private stopping = false;
  private lastCommit = Date.now();
  private lastPurge = Date.now();
  private hosts: Readonly<Record<string, HostInfo>> = {};
  /** Resolves when the loop has ended and every client is closed: with the fatal error, or null. */
  done: Promise<Error | null> = Promise.resolve(null);

  constructor(private readonly deps: StreamThreadDeps) {}

  get name(): string {
    return this.deps.name;
  }
  get state(): StreamThreadState {
    return this.threadState;
  }
  /** Ids of the active tasks, sorted. */
  activeTasks(): string[] {
    return this.tasks?.taskIds() ?? [];
  }
  /** Where every task of the application is, as of the last assignment (by applicationServer). */
  hostInfo(): Readonly<Record<string, HostInfo>> {
    return this.hosts;
  }
  /** Records restored from changelogs by this thread, by `topic|partition`. */
  restoredRecords(): ReadonlyMap<string, number> {
    return this.restorer?.restored ?? new Map();
  }

  private setState(next: StreamThreadState): void {
    const prev = this.threadState;
    if (prev === next && next !== StreamThreadState.PARTITIONS_ASSIGNED) return;
    if (!THREAD_TRANSITIONS[prev].includes(next)) throw new StreamsError(`Stream thread ${this.name}: illegal state transition ${prev} -> ${next}`);
    this.threadState = next;
    this.deps.onStateChange(this, next, prev);
  }

  /** Creates the clients, joins the group and starts the loop (not awaited: see `done`). */
  async start(): Promise<void> {
    const { port, config, meta } = this.deps;
    this.setState(StreamThreadState.STARTING);
    this.producer = await port.producer({ clientId: `${this.name}-producer` });
    this.collector = new RecordCollectorImpl(this.producer, (t) => this.deps.partitions.get(t), config.productionExceptionHandler);
    this.tasks = new TaskManager({
      config,
      meta,
      defaults: this.deps.defaults,
      cache: new ThreadCache(this.deps.cacheBytes),
      collector: this.collector,
      globalStores: this.deps.globalStores,
      clock: Date.now,
      commitHook: this.deps.commitHook,
      eos:
        config.processingGuarantee === 'exactly_once_v2'
          ? {
              port,
              admin: this.deps.admin,
              clientId: this.name,
              newCollector: (sender) => new RecordCollectorImpl(sender, (t) => this.deps.partitions.get(t), config.productionExceptionHandler),
            }
          : null,
    });
    this.restorer = new ChangelogRestorer({
      port,
      admin: this.deps.admin,
      config,
      internal: meta.internal,
      consumer: this.deps.consumer,
      clientId: this.name,
      timeoutMs: 60_000,
      listener: this.deps.restoreListener,
    });
    const tasks = this.tasks;
    const assignor = new StreamsPartitionAssignor(meta, () => ({
      version: USER_DATA_VERSION,
      processId: this.deps.processId,
      applicationServer: config.applicationServer,
      prevTasks: tasks.taskIds(),
    }));
    const consumer = await port.consumer({
      ...this.deps.consumer,
      groupId: config.applicationId,
      assignor,
      clientId: `${this.name}-consumer`,
      maxBufferedRecordsPerPartition: config.bufferedRecordsPerPartition,
    });
    this.consumer = consumer;
    consumer.onAssignmentChange((change) => this.onAssignment(change));
    try {
      await consumer.subscribe(meta.sourceSubscriptions());
    } catch (e) {
      await this.closeClients();
      this.setState(StreamThreadState.PENDING_SHUTDOWN);
      this.setState(StreamThreadState.DEAD);
      throw e;
    }
    this.done = this.run();
  }

  /** Asks the loop to stop after its current iteration; it then commits and closes (see `done`). */
  shutdown(): void {
    this.stopping = true;
    this.consumer?.wakeup();
  }

  private async run(): Promise<Error | null> {
    let error: Error | null = null;
    try {
      while (!this.stopping) await this.runOnce();
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    if (this.threadState !== StreamThreadState.PENDING_SHUTDOWN) this.setState(StreamThreadState.PENDING_SHUTDOWN);
    if (error === null) {
      try {
        await this.closeTasksClean();
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (error !== null) await this.closeTasksDirty();
    await this.closeClients();
    this.setState(StreamThreadState.DEAD);
    return error;
  }

  private async runOnce(): Promise<void> {
    const consumer = this.consumer as GroupConsumer;
    const tasks = this.tasks as TaskManager;
    // right back to processing while there is work; a task waiting (max.task.idle.ms) is not
    const batches = await consumer.poll(this.processedLast > 0 ? 0 : this.deps.pollMs);
    if (this.stopping) return;
    if (tasks.reviveLost(consumer.assignment().partitions)) await tasks.initTransactions(consumer);
    if (tasks.restoring().length > 0) {
      // a task whose directory is still locked by its previous owner waits for a later iteration
      const ready = tasks.restoring().filter((t) => tasks.lockStateDirectory(t, STATE_LOCK_TIMEOUT_MS));
      if (ready.length > 0) await (this.restorer as ChangelogRestorer).restore(ready, () => this.stopping);
      if (this.stopping) return;
    }
    if (this.threadState === StreamThreadState.PARTITIONS_ASSIGNED && tasks.restoring().length === 0) this.setState(StreamThreadState.RUNNING);
    const limit = this.deps.config.bufferedRecordsPerPartition;
    const toPause: TopicPartition[] = [];
    for (const b of batches) {
      if (tasks.addRecords(b.topic, b.partition, b.records) > limit) {
        const tp = { topic: b.topic, partition: b.partition };
        this.pausedForBuffer.set(tpKey(tp.topic, tp.partition), tp);
        toPause.push(tp);
      }
    }
    if (toPause.length > 0) consumer.pause(toPause);
    this.processedLast = tasks.process(MAX_RECORDS_PER_ITERATION, this.lagOf);
    this.refreshLags(tasks.lagWanted);
    tasks.punctuateSystemTime();
    const collectors = tasks.collectors();
    for (const c of collectors) c.dispatch();
    tasks.checkSendFailures();
    for (const c of collectors) await c.backpressure(MAX_BUFFERED_OUTPUT);
    this.resumeDrained();
    const maxUncommitted = this.deps.config.statestoreUncommittedMaxBytes ?? DEFAULT_UNCOMMITTED_MAX_BYTES;
    if (Date.now() - this.lastCommit >= this.deps.config.commitIntervalMs || tasks.commitDue(maxUncommitted)) await this.commit();
  }

  /**
   * The lag of an input partition for max.task.idle.ms: the end offset the broker last
   * reported (the last stable offset, read_committed) minus where the consumer is. Before
   * the consumer has a position, the committed offset stands in for it (none committed:
   * earliest, Kafka Streams' reset policy). Undefined until looked up (refreshLags).
   */
  private readonly lagOf = (tp: TopicPartition): number | undefined => {
    const key = tpKey(tp.topic, tp.partition);
    const ends = this.endOffsets.get(key);
    if (ends === undefined) return undefined;
    const position = (this.consumer as GroupConsumer).position(tp);
    if (position !== undefined) return Math.max(0, ends.latest - position);
    const committed = this.committedOffsets.get(key);
    if (committed === undefined) return undefined;
    return Math.max(0, ends.latest - (committed ?? ends.earliest));
  };

  /** Looks up end (and, where needed, committed) offsets in the background, at most every LAG_REFRESH_MS. */
  private refreshLags(partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0 || this.lagRefresh !== null || Date.now() - this.lastLagRefresh < LAG_REFRESH_MS) return;
    this.lastLagRefresh = Date.now();
    const consumer = this.consumer as GroupConsumer;
    const admin = this.deps.admin;
    this.lagRefresh = (async () => {
      for (const topic of new Set(partitions.map((tp) => tp.topic))) {
        for (const o of await admin.listOffsets(topic)) this.endOffsets.set(tpKey(topic, o.partition), { earliest: o.earliest, latest: o.latest });
      }
      const unplaced = partitions.filter((tp) => consumer.position(tp) === undefined);
      if (unplaced.length === 0) return;
      for (const c of await admin.fetchCommittedOffsets(this.deps.config.applicationId, unplaced)) {
        this.committedOffsets.set(tpKey(c.topic, c.partition), c.offset);
      }
    })()
      .catch((e: unknown) => console.warn(`kstreams: ${this.name}: could not look up input lags: ${(e as Error).message}`))
      .finally(() => {
        this.lagRefresh = null;
      });
  }

  /** Resumes partitions paused for a full buffer once their task has worked it down. */
  private resumeDrained(): void {
    if (this.pausedForBuffer.size === 0) return;
    const tasks = this.tasks as TaskManager;
    const resume: TopicPartition[] = [];
    for (const [key, tp] of this.pausedForBuffer) {
      if (tasks.bufferedRecords(tp) <= this.deps.config.bufferedRecordsPerPartition) {
        this.pausedForBuffer.delete(key);
        resume.push(tp);
      }
    }
    if (resume.length > 0) (this.consumer as GroupConsumer).resume(resume);
  }

  /**
   * Commits the tasks. A commit refused because the group moved on (TaskMigrated) is not
   * fatal: the tasks stay, the next poll delivers the new assignment and closes the lost
   * ones; the kept ones commit next time.
   */
  private async commit(): Promise<void> {
    this.lastCommit = Date.now();
    let offsets: TopicPartitionOffset[];
    try {
      offsets = await (this.tasks as TaskManager).commit(this.consumer as GroupConsumer);
    } catch (e) {
      if (e instanceof TaskMigratedError) return;
      throw e;
    }
    await this.maybePurgeRepartitionTopics(offsets);
  }

  /** Deletes consumed records of repartition topics (Kafka's repartition.purge.interval.ms). */
  private async maybePurgeRepartitionTopics(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (Date.now() - this.lastPurge < this.deps.repartitionPurgeIntervalMs) return;
    this.lastPurge = Date.now();
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const o of offsets) {
      if (!this.deps.meta.repartitionTopics.has(o.topic)) continue;
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partition: o.partition, offset: o.offset });
      byTopic.set(o.topic, list);
    }
    for (const [topic, list] of byTopic) {
      await this.deps.admin.deleteRecords(topic, list).catch((e: unknown) => {
        console.warn(`kstreams: ${this.name}: could not purge repartition topic ${topic}: ${(e as Error).message}`);
      });
    }
  }

  /**
   * The assignment listener, awaited by poll() before records of new partitions arrive.
   * Under exactly-once it initialises the new tasks' producers and seeks their partitions
   * to the committed offsets before returning.
   */
  private async onAssignment(change: AssignmentChange): Promise<void> {
    const info = decodeAssignment(change.assignment.userData);
    if (info !== null) this.hosts = info.hosts;
    if (info?.error === AssignorError.SHUTDOWN_REQUESTED) {
      this.deps.onShutdownRequested(this);
      this.shutdown();
    }
    if (this.stopping) return;
    if (change.revoked.length > 0 && this.threadState !== StreamThreadState.STARTING) this.setState(StreamThreadState.PARTITIONS_REVOKED);
    const owned = new Set(change.assignment.partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const key of [...this.pausedForBuffer.keys()]) if (!owned.has(key)) this.pausedForBuffer.delete(key);
    this.committedOffsets.clear(); // new partitions start at their committed offsets as of now
    (this.tasks as TaskManager).handleAssignment(change.assignment.partitions);
    await (this.tasks as TaskManager).initTransactions(this.consumer as GroupConsumer);
    this.setState(StreamThreadState.PARTITIONS_ASSIGNED);
  }

  /** Commits, then closes every task. A commit refused by a rebalance leaves the tasks to be closed dirty. */
  private async closeTasksClean(): Promise<void> {
    const tasks = this.tasks;
    if (tasks === null) return;
    try {
      await tasks.commit(this.consumer as GroupConsumer);
    } catch (e) {
      if (!(e instanceof TaskMigratedError)) throw e;
      tasks.closeAll(false);
      return;
    }
    tasks.closeAll(true);
  }

  /** Closes every task without committing; unsent output is dropped (no commit covers it). */
  private async closeTasksDirty(): Promise<void> {
    const collectors = this.tasks?.collectors() ?? [];
    for (const c of collectors) c.discardBuffered();
    this.tasks?.closeAll(false);
    for (const c of collectors) await c.settle();
    await this.tasks?.settle();
  }

  private async closeClients(): Promise<void> {
    // the consumer leaves the group, so its partitions move at once
    await this.consumer?.close().catch(() => {});
    await this.tasks?.settle();
    await this.producer?.close().catch(() => {});
  }
}
