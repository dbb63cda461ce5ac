import { ProcessingError, StreamsError } from '../../errors.js';
import { Headers } from '../../processor/Headers.js';
import { type Cancellable, PunctuationType, type Punctuator } from '../../processor/Processor.js';
import { Record } from '../../processor/Record.js';
import type { Serde } from '../../serdes/Serde.js';
import type { ThreadCache } from '../../state/internals/ThreadCache.js';
import { TaskStateStores } from '../../state/rocksdb/TaskStateStores.js';
import type { RecordContext, StateStore, StoreContext } from '../../state/StateStore.js';
import type { RecordCollector } from '../../topology/InternalProcessorContext.js';
import { type ProcessorNode, wrapUserError } from '../../topology/nodes/ProcessorNode.js';
import type { ProcessorTopology } from '../../topology/ProcessorTopology.js';
import { decide } from '../ErrorHandlers.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import type { TaskId } from '../TaskId.js';
import { PartitionGroup } from './PartitionGroup.js';
import { NO_RECORD_CONTEXT, ProcessorContextImpl, type TaskServices } from './ProcessorContextImpl.js';
import { PunctuationQueue } from './PunctuationQueue.js';
import type { RawRecord } from './RawRecord.js';
import { RecordQueue } from './RecordQueue.js';

/** Lifecycle of a task; transitions not in the table are bugs. */
export const TaskState = {
  CREATED: 'CREATED',
  RESTORING: 'RESTORING',
  RUNNING: 'RUNNING',
  SUSPENDED: 'SUSPENDED',
  CLOSED: 'CLOSED',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

const LEGAL_TRANSITIONS: Readonly<globalThis.Record<TaskState, readonly TaskState[]>> = {
  CREATED: ['RESTORING', 'RUNNING', 'CLOSED'],
  RESTORING: ['RUNNING', 'SUSPENDED', 'CLOSED'],
  RUNNING: ['SUSPENDED', 'CLOSED'],
  SUSPENDED: ['RESTORING', 'RUNNING', 'CLOSED'],
  CLOSED: [],
};

/** A topic partition a task reads. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Everything a task needs from its thread (or from the test driver). */
export interface StreamTaskDeps {
  readonly id: TaskId;
  readonly topology: ProcessorTopology;
  readonly config: ResolvedStreamsConfig;
  readonly inputPartitions: readonly TopicPartition[];
  readonly collector: RecordCollector;
  readonly cache: ThreadCache | null;
  /** Wall clock in ms (mocked by the test driver). */
  readonly clock: () => number;
  /** Global stores visible to every processor. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /**
   * The task's state directory, `<stateDir>/<applicationId>/<taskId>`, already locked
   * by the caller; persistent stores keep their files there. Without it (the test
   * driver) persistent stores use a temporary directory.
   */
  readonly stateDir?: string;
}

/**
 * Runs one sub-topology (or, in the test driver, all of them) for one
 * partition group: buffers input per partition, processes one record at a
 * time through the node graph, fires punctuations, and flushes its stores on
 * commit. It performs no I/O of its own; the thread or the driver around it does.
 */
export class StreamTask implements TaskServices {
  private state: TaskState = TaskState.CREATED;
  readonly context: ProcessorContextImpl;
  private readonly partitionGroup = new PartitionGroup();
  private readonly streamTimePunctuations = new PunctuationQueue();
  private readonly wallClockPunctuations = new PunctuationQueue();
  private readonly registeredStores: StateStore[] = [];
  private commitRequested = false;
  /** The context the stores were initialised with: the key of their TaskStateStores. */
  private initializedStoreContext: StoreContext | null = null;
  private commitNeeded = false;
  /** Records dropped by processors (null keys, late records, ...). */
  droppedRecords = 0;

  constructor(private readonly deps: StreamTaskDeps) {
    this.context = new ProcessorContextImpl(this);
    for (const tp of deps.inputPartitions) {
      const source = deps.topology.source(tp.topic);
      if (source === undefined) throw new StreamsError(`Task ${deps.id.toString()} has no source for topic ${tp.topic}`);
      const extractor = source.timestampExtractor ?? deps.config.defaultTimestampExtractor;
      this.partitionGroup.addQueue(
        new RecordQueue(tp.topic, tp.partition, source, extractor, deps.config.deserializationExceptionHandler),
      );
    }
  }

  // ---- TaskServices, used by the processor context ----
  get applicationId(): string {
    return this.deps.config.applicationId;
  }
  get taskId(): TaskId {
    return this.deps.id;
  }
  get config(): Readonly<globalThis.Record<string, unknown>> {
    return this.deps.config;
  }
  get collector(): RecordCollector {
    return this.deps.collector;
  }
  store(name: string): StateStore | undefined {
    return this.deps.topology.stores.get(name);
  }
  globalStore(name: string): StateStore | undefined {
    return this.deps.globalStores?.get(name);
  }
  streamTime(): number {
    return this.partitionGroup.streamTime;
  }
  wallClock(): number {
    return this.deps.clock();
  }
  schedule(node: ProcessorNode, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (type === PunctuationType.STREAM_TIME) {
      // aligned to 0: fires as soon as there is stream time
      return this.streamTimePunctuations.schedule(node, 0, intervalMs, callback);
    }
    return this.wallClockPunctuations.schedule(node, this.deps.clock() + intervalMs, intervalMs, callback);
  }
  requestCommit(): void {
    this.commitRequested = true;
  }
  recordDropped(_reason: string): void {
    this.droppedRecords++;
  }

  get id(): TaskId {
    return this.deps.id;
  }
  get currentState(): TaskState {
    return this.state;
  }

  private transitionTo(next: TaskState): void {
    if (!LEGAL_TRANSITIONS[this.state].includes(next)) {
      throw new StreamsError(`Task ${this.deps.id.toString()}: illegal state transition ${this.state} -> ${next}`);
    }
    this.state = next;
  }

  /** Opens the stores and initialises every processor; then the task can process. */
  initialize(): void {
    this.initializeStores();
    this.initializeProcessors();
  }

  /**
   * First half of `initialize()`: opens the stores only (state RESTORING). The
   * runtime restores them from their changelogs before any processor runs, so that
   * processors never see (or forward) a half-restored store.
   */
  initializeStores(): void {
    const storeContext = this.storeContext();
    this.initializedStoreContext = storeContext;
    for (const store of this.deps.topology.stores.values()) store.init(storeContext, store);
    this.transitionTo(TaskState.RESTORING);
  }

  /** Second half of `initialize()`: initialises every processor; then the task can process. */
  initializeProcessors(): void {
    for (const node of this.deps.topology.nodes) {
      this.context.setCurrentNode(node);
      try {
        node.init(this.context);
      } catch (e) {
        throw wrapUserError(e, node.name);
      } finally {
        this.context.setCurrentNode(null);
      }
    }
    this.transitionTo(TaskState.RUNNING);
  }

  /** The task's persistent stores (commit step 3, restore offsets), once its stores are open; undefined when it has none. */
  persistentStores(): TaskStateStores | undefined {
    return this.initializedStoreContext === null ? undefined : TaskStateStores.find(this.initializedStoreContext);
  }

  private storeContext(): StoreContext {
    const cfg = this.deps.config;
    const partition = this.deps.id.partition;
    const changelogs = this.deps.topology.changelogTopics;
    return {
      applicationId: cfg.applicationId,
      taskId: this.deps.id,
      defaultKeySerde: cfg.defaultKeySerde as Serde<unknown>,
      defaultValueSerde: cfg.defaultValueSerde as Serde<unknown>,
      cache: this.deps.cache,
      recordContext: () => this.context.recordContext(),
      withRecordContext: (ctx: RecordContext, fn: () => void) => {
        const prev = this.context.recordContext();
        this.context.setRecordContext(ctx);
        try {
          fn();
        } finally {
          this.context.setRecordContext(prev);
        }
      },
      setRecordContext: (ctx: RecordContext) => {
        const prev = this.context.recordContext();
        this.context.setRecordContext(ctx);
        return prev;
      },
      logChange: (storeName, key, value, timestamp, headers) => {
        const topic = changelogs.get(storeName);
        if (topic !== undefined) this.deps.collector.send(topic, key, value, headers, timestamp, partition);
      },
      register: (store) => {
        if (!this.registeredStores.includes(store)) this.registeredStores.push(store);
      },
      ...(this.deps.stateDir === undefined ? {} : { stateDir: this.deps.stateDir }),
    };
  }

  /** Buffers fetched records of one partition. */
  addRecords(topic: string, partition: number, records: readonly RawRecord[]): void {
    const q = this.partitionGroup.queue(topic, partition);
    if (q === undefined) throw new StreamsError(`Task ${this.deps.id.toString()} does not own ${topic}-${partition}`);
    q.add(records);
  }

  /** Buffers one record (the test driver's path). */
  addRecord(record: RawRecord): void {
    const q = this.partitionGroup.queue(record.topic, record.partition);
    if (q === undefined) throw new StreamsError(`Task ${this.deps.id.toString()} does not own ${record.topic}-${record.partition}`);
    q.addOne(record);
  }

  numBuffered(): number {
    return this.partitionGroup.numBuffered();
  }

  hasRecordsQueued(): boolean {
    return this.partitionGroup.hasBuffered();
  }

  /** Records buffered for one input partition (the runtime pauses a partition whose buffer is full). */
  bufferedRecords(topic: string, partition: number): number {
    return this.partitionGroup.queue(topic, partition)?.size() ?? 0;
  }

  /** True when every input partition has a buffered record (for max.task.idle.ms). */
  allPartitionsBuffered(): boolean {
    return this.partitionGroup.allPartitionsBuffered();
  }

  /** Records skipped because they did not deserialize or had an invalid timestamp. */
  skippedRecords(): number {
    let n = 0;
    for (const q of this.partitionGroup.allQueues()) n += q.skipped;
    return n;
  }

  /** Processes the next record in timestamp order; returns false when nothing is buffered. */
  process(): boolean {
    const next = this.partitionGroup.nextRecord();
    if (next === null) return false;
    const { record, queue } = next;
    const raw = record.raw;
    this.context.setRecordContext({
      timestamp: record.timestamp,
      headers: raw.headers,
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
    });
    this.context.setCurrentNode(queue.source);
    try {
      queue.source.process(new Record(record.key, record.value, record.timestamp, raw.headers));
    } catch (e) {
      this.handleProcessingError(e, raw);
    } finally {
      this.context.setCurrentNode(null);
      this.context.setRecordContext(NO_RECORD_CONTEXT);
    }
    queue.lastProcessedOffset = raw.offset;
    this.commitNeeded = true;
    return true;
  }

  private handleProcessingError(e: unknown, raw: RawRecord): void {
    const err = e instanceof Error ? e : new Error(String(e));
    // only errors from user code are the processing handler's business
    if (err instanceof ProcessingError) {
      const origin = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
      if (decide(this.deps.config.processingExceptionHandler, origin, err) === 'continue') {
        this.droppedRecords++;
        return;
      }
    }
    throw err;
  }

  /** Fires stream-time punctuations that are due. */
  maybePunctuateStreamTime(): boolean {
    const now = this.partitionGroup.streamTime;
    if (now < 0) return false;
    return this.streamTimePunctuations.mayPunctuate(now, (node, ts, p) => this.punctuate(node, ts, p));
  }

  /** Fires wall-clock punctuations that are due. */
  maybePunctuateSystemTime(): boolean {
    const now = this.deps.clock();
    return this.wallClockPunctuations.mayPunctuate(now, (node, ts, p) => this.punctuate(node, ts, p));
  }

  private punctuate(node: ProcessorNode, timestamp: number, punctuator: Punctuator): void {
    this.context.setCurrentNode(node);
    this.context.setRecordContext({ timestamp, headers: Headers.EMPTY, topic: null, partition: -1, offset: -1 });
    try {
      punctuator(timestamp);
    } catch (e) {
      throw wrapUserError(e, node.name);
    } finally {
      this.context.setCurrentNode(null);
      this.context.setRecordContext(NO_RECORD_CONTEXT);
    }
    this.commitNeeded = true;
  }

  /** Whether a processor asked for a commit (context.commit()) since the last one. */
  commitRequestedByProcessor(): boolean {
    return this.commitRequested;
  }

  /** Whether processing happened since the last commit, or a processor asked for one. */
  commitNeededOrRequested(): boolean {
    return this.commitNeeded || this.commitRequested;
  }

  /**
   * Step 1 of a commit: flush every store (caches forward their dirty entries
   * downstream and write their changelogs through the record collector).
   */
  prepareCommit(): void {
    for (let i = 0; i < this.registeredStores.length; i++) (this.registeredStores[i] as StateStore).flush();
  }

  /** The input offsets to commit: the next offset to read, per partition processed from. */
  committableOffsets(): { topic: string; partition: number; offset: number }[] {
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const q of this.partitionGroup.allQueues()) {
      if (q.lastProcessedOffset >= 0) out.push({ topic: q.topic, partition: q.partition, offset: q.lastProcessedOffset + 1 });
    }
    return out;
  }

  /** After Kafka has the offsets: clears the commit flags. */
  postCommit(): void {
    this.commitNeeded = false;
    this.commitRequested = false;
  }

  /** Closes processors and stores. */
  close(): void {
    if (this.state === TaskState.CLOSED) return;
    let first: unknown = null;
    // processors of a task closed while restoring were never initialised
    const processorsInitialized = this.state !== TaskState.CREATED && this.state !== TaskState.RESTORING;
    for (const node of processorsInitialized ? this.deps.topology.nodes : []) {
      this.context.setCurrentNode(node);
      try {
        node.close();
      } catch (e) {
        first ??= e;
      }
    }
    this.context.setCurrentNode(null);
    for (const store of this.registeredStores) {
      try {
        store.close();
      } catch (e) {
        first ??= e;
      }
    }
    this.transitionTo(TaskState.CLOSED);
    if (first !== null) throw wrapUserError(first, 'close');
  }
}
