/**
 * The KafkaStreams client: runs a Topology against Kafka (Kafka's `KafkaStreams`).
 * Several instances with the same applicationId share the work through the consumer
 * group: each stream thread is a member, tasks move between them on rebalances and
 * restore their state from changelog topics. Processing is at-least-once, or exactly-once
 * with `processingGuarantee: 'exactly_once_v2'` (one transactional producer per task).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamsError } from '../errors.js';
import type { BuildDefaults } from '../topology/InternalTopologyBuilder.js';
import type { Topology } from '../topology/Topology.js';
import { requestApplicationShutdown } from './assignment/ShutdownRequester.js';
import { defaultPort } from './defaultPort.js';
import type { GroupConsumerConfig, KafkaAdmin, KafkaPort } from './kafka/KafkaPort.js';
import {
  CLIENT_TRANSITIONS,
  KafkaStreamsState,
  type StateListener,
  StreamThreadExceptionResponse,
  StreamThreadState,
  type StreamsUncaughtExceptionHandler,
} from './KafkaStreamsState.js';
import type { StateRestoreListener } from './StateRestoreListener.js';
import { resolveConfig, type ResolvedStreamsConfig, type StreamsConfig } from './StreamsConfig.js';
import { GlobalStreamThread } from './thread/GlobalStreamThread.js';
import { StreamThread } from './thread/StreamThread.js';
import type { CommitHook } from './thread/TaskManager.js';
import { prepareTopics } from './topics/InternalTopicManager.js';
import { TopologyMetadata } from './topics/TopologyMetadata.js';

/** Options of a KafkaStreams client that are not Kafka Streams config. */
export interface KafkaStreamsOptions {
  /**
   * The Kafka to run on. Default: the process-wide embedded broker when the config has
   * no bootstrapServers, otherwise a kafkajs client of those servers. An injected port
   * is not closed by `close()`.
   */
  readonly kafka?: KafkaPort;
  /**
   * Called after each numbered step of every commit (see TaskManager). For fault-injection
   * tests: a hook that throws acts as a crash at that point, the thread dies without
   * running the later steps. Not for production use.
   */
  readonly commitHook?: CommitHook;
}

/** What one local stream thread is doing (Kafka's `ThreadMetadata`, in brief). */
export interface ThreadMetadata {
  readonly threadName: string;
  readonly threadState: StreamThreadState;
  /** Active task ids, `<subtopology>_<partition>`, sorted. */
  readonly activeTasks: readonly string[];
}

/**
 * Runs a topology on Kafka.
 *
 * @example
 * const streams = new KafkaStreams(builder.build(), { applicationId: 'word-count', bootstrapServers: 'localhost:9092' });
 * streams.setStateListener((now, before) => console.log(`${before} -> ${now}`));
 * await streams.start();
 * process.on('SIGTERM', () => void streams.close());
 */
export class KafkaStreams {
  /** Identifies this client in the group (Kafka's processId). */
  readonly processId: string = randomUUID();
  private current: KafkaStreamsState = KafkaStreamsState.CREATED;
  private readonly config: ResolvedStreamsConfig;
  private readonly meta: TopologyMetadata;
  private readonly defaults: BuildDefaults;
  private readonly clientId: string;
  private stateListener: StateListener | null = null;
  private exceptionHandler: StreamsUncaughtExceptionHandler | null = null;
  private restoreListener: StateRestoreListener | null = null;
  private port: KafkaPort | null = null;
  private ownsPort = false;
  private admin: KafkaAdmin | null = null;
  private threads: StreamThread[] = [];
  private global: GlobalStreamThread | null = null;
  private partitions: ReadonlyMap<string, number> = new Map();
  private threadSeq = 0;
  /** The start work itself, and the same with its failure handling (what start() returns). */
  private startWork: Promise<void> | null = null;
  private threadsStarted = false;
  private stopping: Promise<void> | null = null;

  /**
   * @param topology what to run; the application id is stamped on its internal topics
   * @param config Kafka Streams config in camelCase; only `applicationId` is required
   * @param options the Kafka port to use, if not the default
   */
  constructor(
    topology: Topology,
    config: StreamsConfig,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    this.config = resolveConfig(config);
    const internal = topology.internal;
    internal.setApplicationId(this.config.applicationId);
    this.meta = new TopologyMetadata(internal);
    this.meta.sourceSubscriptions(); // refuses reset policies the runtime cannot honour, now
    this.defaults = {
      keySerde: this.config.defaultKeySerde,
      valueSerde: this.config.defaultValueSerde,
      cachingDisabled: this.config.cacheMaxBytes === 0,
      dslStoreType: this.config.defaultDslStore ?? 'rocks_db',
    };
    this.clientId = this.config.clientId ?? `${this.config.applicationId}-${this.processId}`;
    // as Kafka, build once now so that a broken topology fails here, not in a thread
    internal.build(this.defaults);
    internal.buildGlobal(this.defaults);
  }

  /** The client's state. */
  state(): KafkaStreamsState {
    return this.current;
  }

  /** Hears every state change. Only before start(), as in Kafka. */
  setStateListener(listener: StateListener): void {
    this.checkCreated('set a state listener');
    this.stateListener = listener;
  }

  /** Decides what a thread's fatal error does (default: SHUTDOWN_CLIENT). Only before start(). */
  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    this.checkCreated('set an uncaught exception handler');
    this.exceptionHandler = handler;
  }

  /** Hears about state restoration (Kafka's setGlobalStateRestoreListener). Only before start(). */
  setGlobalStateRestoreListener(listener: StateRestoreListener): void {
    this.checkCreated('set a restore listener');
    this.restoreListener = listener;
  }

  /** What each local stream thread is doing. */
  metadataForLocalThreads(): ThreadMetadata[] {
    return this.threads.map((t) => ({ threadName: t.name, threadState: t.state, activeTasks: t.activeTasks() }));
  }

  /**
   * Starts processing: checks the source topics, creates the internal topics,
   * bootstraps the global stores, then starts the stream threads, which join the group.
   * Resolves once the threads are started; the state goes to RUNNING when their tasks
   * are assigned and restored. Rejects (and the state ends in ERROR) when the topics
   * are not usable: missing source topics (MissingSourceTopicError), join inputs with
   * different partition counts (CopartitionError).
   *
   * @throws StreamsError at once (not as a rejection) when the client was started before:
   * a client starts once, as in Kafka.
   */
  start(): Promise<void> {
    if (this.current !== KafkaStreamsState.CREATED) {
      throw new StreamsError(`KafkaStreams cannot be started in state ${this.current}: a client starts once; create a new one to start again`);
    }
    this.setState(KafkaStreamsState.REBALANCING);
    this.startWork = this.doStart();
    return this.startWork.catch(async (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      await this.closeToError(error);
      throw error;
    });
  }

  private async doStart(): Promise<void> {
    const config = this.config;
    if (this.options.kafka !== undefined) this.port = this.options.kafka;
    else ({ port: this.port, owned: this.ownsPort } = await defaultPort(config, this.clientId));
    this.admin = await this.port.admin();
    const plan = await prepareTopics(this.admin, this.meta, this.meta.internal, config.replicationFactor);
    this.partitions = plan.partitions;
    if (this.isShuttingDown()) return;
    const hasGlobal = this.meta.globalTopics.length > 0;
    const cacheShare = Math.floor(config.cacheMaxBytes / (config.numStreamThreads + (hasGlobal ? 1 : 0)));
    this.global = new GlobalStreamThread({
      port: this.port,
      admin: this.admin,
      config,
      internal: this.meta.internal,
      defaults: this.defaults,
      partitions: this.partitions,
      cacheBytes: cacheShare,
      consumer: this.consumerConfig(),
      clientId: this.clientId,
      pollMs: config.pollMs ?? 100,
    });
    await this.global.bootstrap();
    void this.global.done.then((error) => {
      if (error !== null) void this.onThreadError(null, error);
    });
    if (this.meta.sourceTopics().length === 0) {
      this.setState(KafkaStreamsState.RUNNING); // only global stores: nothing to assign
      return;
    }
    for (let i = 0; i < config.numStreamThreads && !this.isShuttingDown(); i++) await this.startThread(cacheShare);
    this.threadsStarted = true;
    this.updateStateFromThreads();
  }

  private consumerConfig(): Partial<GroupConsumerConfig> {
    const c = this.config;
    const out: { -readonly [K in keyof GroupConsumerConfig]?: GroupConsumerConfig[K] } = {};
    if (c.sessionTimeoutMs !== undefined) out.sessionTimeoutMs = c.sessionTimeoutMs;
    if (c.heartbeatIntervalMs !== undefined) out.heartbeatIntervalMs = c.heartbeatIntervalMs;
    if (c.rebalanceTimeoutMs !== undefined) out.rebalanceTimeoutMs = c.rebalanceTimeoutMs;
    // exactly-once: records of open or aborted transactions (ours too, on repartition
    // topics and changelogs) are never read, by tasks, restoration or global stores
    if (c.processingGuarantee === 'exactly_once_v2') out.isolationLevel = 'read_committed';
    return out;
  }

  private async startThread(cacheBytes: number): Promise<void> {
    const thread = new StreamThread({
      name: `${this.clientId}-StreamThread-${++this.threadSeq}`,
      port: this.port as KafkaPort,
      admin: this.admin as KafkaAdmin,
      config: this.config,
      meta: this.meta,
      defaults: this.defaults,
      partitions: this.partitions,
      globalStores: this.global?.stores ?? new Map(),
      processId: this.processId,
      cacheBytes,
      consumer: this.consumerConfig(),
      pollMs: this.config.pollMs ?? 100,
      repartitionPurgeIntervalMs: this.config.repartitionPurgeIntervalMs ?? 30_000,
      restoreListener: () => this.restoreListener,
      commitHook: this.options.commitHook ?? null,
      onStateChange: () => this.updateStateFromThreads(),
      onShutdownRequested: () => {
        void this.closeToError(new StreamsError('An instance of the application requested that every instance shut down (SHUTDOWN_APPLICATION)'));
      },
    });
    this.threads.push(thread);
    await thread.start();
    void thread.done.then((error) => {
      this.threads = this.threads.filter((t) => t !== thread);
      if (error !== null) void this.onThreadError(thread, error);
      else this.updateStateFromThreads();
    });
  }

  /** REBALANCING while any thread is getting or restoring tasks, RUNNING when all run theirs. */
  private updateStateFromThreads(): void {
    if (this.current !== KafkaStreamsState.RUNNING && this.current !== KafkaStreamsState.REBALANCING) return;
    if (!this.threadsStarted) return;
    const running = this.threads.length > 0 && this.threads.every((t) => t.state === StreamThreadState.RUNNING);
    this.setState(running ? KafkaStreamsState.RUNNING : KafkaStreamsState.REBALANCING);
  }

  /** A thread (or the global thread, `thread` null) died: ask the handler what to do. */
  private async onThreadError(thread: StreamThread | null, error: Error): Promise<void> {
    if (this.isShuttingDown()) return;
    let response: StreamThreadExceptionResponse = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    if (this.exceptionHandler !== null) {
      try {
        response = this.exceptionHandler(error);
      } catch (e) {
        console.error(`kstreams: the uncaught exception handler threw; shutting the client down: ${(e as Error).message}`);
      }
    } else {
      console.error(`kstreams: ${thread?.name ?? 'the global thread'} failed; shutting the client down (no uncaught exception handler set):`, error);
    }
    if (response === StreamThreadExceptionResponse.REPLACE_THREAD && thread !== null) {
      const hasGlobal = this.meta.globalTopics.length > 0;
      const share = Math.floor(this.config.cacheMaxBytes / (this.config.numStreamThreads + (hasGlobal ? 1 : 0)));
      this.updateStateFromThreads();
      await this.startThread(share).catch((e: unknown) => this.closeToError(e instanceof Error ? e : new Error(String(e))));
      return;
    }
    if (response === StreamThreadExceptionResponse.SHUTDOWN_APPLICATION && this.port !== null) {
      await requestApplicationShutdown(this.port, this.meta, this.config.applicationId, this.processId, this.consumerConfig(), 10_000).catch(
        (e: unknown) => console.error(`kstreams: could not ask the application to shut down: ${(e as Error).message}`),
      );
    }
    await this.closeToError(error);
  }

  /**
   * Shuts down: every thread commits its tasks and closes them, the global thread stops,
   * and the clients are released. Resolves to false if that took longer than
   * `timeoutMs` (shutdown then goes on in the background), true otherwise.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.current === KafkaStreamsState.CREATED) {
      this.setState(KafkaStreamsState.PENDING_SHUTDOWN);
      this.setState(KafkaStreamsState.NOT_RUNNING);
      return true;
    }
    if (this.stopping === null) {
      this.setState(KafkaStreamsState.PENDING_SHUTDOWN);
      this.stopping = this.shutdownEverything().then(() => this.setState(KafkaStreamsState.NOT_RUNNING));
    }
    const timeoutMs = options.timeoutMs ?? Number.MAX_SAFE_INTEGER;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.min(timeoutMs, 2 ** 31 - 1));
    });
    try {
      return await Promise.race([this.stopping.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Shuts down after a fatal error; the state ends in ERROR. */
  private async closeToError(error: Error): Promise<void> {
    if (this.stopping !== null) return;
    console.error(`kstreams: client ${this.clientId} is shutting down after an error: ${error.message}`);
    this.setState(KafkaStreamsState.PENDING_ERROR);
    this.stopping = this.shutdownEverything().then(() => this.setState(KafkaStreamsState.ERROR));
    await this.stopping;
  }

  private async shutdownEverything(): Promise<void> {
    // stop what runs, let start() finish (it stops early), then stop what it started
    this.global?.shutdown();
    for (const t of this.threads) t.shutdown();
    await this.startWork?.catch(() => {});
    for (const t of this.threads) t.shutdown();
    await Promise.all(this.threads.map((t) => t.done));
    this.global?.shutdown();
    await this.global?.done;
    await this.admin?.close().catch(() => {});
    if (this.ownsPort) await this.port?.close().catch(() => {});
  }

  /**
   * Deletes this application's local state directory (`<stateDir>/<applicationId>`).
   * Only while not running. In-memory stores keep nothing there; persistent stores do.
   */
  cleanUp(): void {
    const s = this.current;
    if (s !== KafkaStreamsState.CREATED && s !== KafkaStreamsState.NOT_RUNNING && s !== KafkaStreamsState.ERROR) {
      throw new StreamsError(`Cannot clean up while running (state ${s}); call cleanUp() before start() or after close()`);
    }
    const stateDir = this.config.stateDir ?? join(tmpdir(), 'kstreams');
    rmSync(join(stateDir, this.config.applicationId), { recursive: true, force: true });
  }

  private isShuttingDown(): boolean {
    return this.stopping !== null || this.current === KafkaStreamsState.PENDING_SHUTDOWN || this.current === KafkaStreamsState.PENDING_ERROR;
  }

  private checkCreated(what: string): void {
    if (this.current !== KafkaStreamsState.CREATED) throw new StreamsError(`Can only ${what} in state CREATED, not ${this.current}`);
  }

  private setState(next: KafkaStreamsState): void {
    const prev = this.current;
    if (prev === next) return;
    if (!CLIENT_TRANSITIONS[prev].includes(next)) throw new StreamsError(`KafkaStreams: illegal state transition ${prev} -> ${next}`);
    this.current = next;
    try {
      this.stateListener?.(next, prev);
    } catch (e) {
      console.error(`kstreams: the state listener threw: ${(e as Error).message}`);
    }
  }
}
