import { EMIT_INTERVAL_WINDOWED_AGGREGATION } from '../dsl/internals/WindowedAggregateBase.js';
import { EMIT_INTERVAL_OUTER_JOIN } from '../dsl/processors/KStreamKStreamJoin.js';
import { IllegalArgumentError } from '../errors.js';
import { Headers } from '../processor/Headers.js';
import type { Deserializer, Serde, Serializer } from '../serdes/Serde.js';
import { ThreadCache } from '../state/internals/ThreadCache.js';
import { MeteredKeyValueStore } from '../state/internals/MeteredKeyValueStore.js';
import type { KeyValueStore } from '../state/KeyValueStore.js';
import type { StateStore } from '../state/StateStore.js';
import { KeyValueStoreBuilder, type TimestampedKeyValueStore } from '../state/Stores.js';
import type { ProcessorTopology } from '../topology/ProcessorTopology.js';
import type { Topology } from '../topology/Topology.js';
import { resolveConfig, type ResolvedStreamsConfig, type StreamsConfig } from '../runtime/StreamsConfig.js';
import { TaskId } from '../runtime/TaskId.js';
import type { RawRecord } from '../runtime/task/RawRecord.js';
import { StreamTask } from '../runtime/task/StreamTask.js';
import { CapturingCollector, type ProducedRecord } from './CapturingCollector.js';
import { TestInputTopic } from './TestInputTopic.js';
import { TestOutputTopic } from './TestOutputTopic.js';
import { timestampedToPlainView, timestampedWindowToPlainView } from './TimestampedStoreView.js';
import type { SessionStore, WindowStore } from '../state/WindowStore.js';
import { SessionStoreBuilder, type TimestampedWindowStore, WindowStoreBuilder } from '../state/Stores.js';

/** A serializer, or a serde whose serializer is used. */
export type SerializerLike<T> = Serializer<T> | Serde<T>;
/** A deserializer, or a serde whose deserializer is used. */
export type DeserializerLike<T> = Deserializer<T> | Serde<T>;

function toSerializer<T>(s: SerializerLike<T>): Serializer<T> {
  return 'serializer' in s ? s.serializer() : s;
}
function toDeserializer<T>(d: DeserializerLike<T>): Deserializer<T> {
  return 'deserializer' in d ? d.deserializer() : d;
}

/** Uncommitted RocksDB writes after which the driver writes the stores (commit step 3). */
const STORE_COMMIT_BYTES = 4 * 1024 * 1024;

/**
 * Runs a Topology without Kafka (Kafka's `TopologyTestDriver`). All
 * sub-topologies run in one task over partition 0 of every topic; records
 * written to repartition topics are fed back in; after every input record
 * the task commits (flushing caches), so the output shows each update.
 * It drives the same StreamTask code the Kafka runtime drives.
 */
export class TopologyTestDriver {
  private readonly config: ResolvedStreamsConfig;
  private readonly processorTopology: ProcessorTopology;
  private readonly globalTopology: ProcessorTopology | null;
  private readonly task: StreamTask | null;
  private readonly globalTask: StreamTask | null;
  private readonly collector = new CapturingCollector();
  private readonly outputs = new Map<string, OutputQueue>();
  private readonly produced = new Set<string>();
  private readonly nextOffset = new Map<string, number>();
  private readonly taskTopics: Set<string>;
  private readonly globalTopics: Set<string>;
  private wallClockMs: number;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    config: Partial<StreamsConfig> = {},
    initialWallClockMs: number = Date.now(),
  ) {
    this.config = resolveConfig({
      applicationId: 'dummy-topology-test-driver-app-id',
      // as Kafka's driver (since 3.8): no wall-clock throttling of emissions unless asked for
      [EMIT_INTERVAL_OUTER_JOIN]: 0,
      [EMIT_INTERVAL_WINDOWED_AGGREGATION]: 0,
      ...config,
    } as StreamsConfig);
    this.wallClockMs = initialWallClockMs;
    const internal = topology.internal;
    internal.setApplicationId(this.config.applicationId);
    const defaults = {
      keySerde: this.config.defaultKeySerde,
      valueSerde: this.config.defaultValueSerde,
      cachingDisabled: this.config.cacheMaxBytes === 0,
      dslStoreType: this.config.defaultDslStore ?? 'rocks_db',
    };
    const cache = new ThreadCache(this.config.cacheMaxBytes);
    const clock = () => this.wallClockMs;

    this.globalTopology = internal.buildGlobal(defaults);
    this.globalTopics = new Set(this.globalTopology ? this.globalTopology.sourcesByTopic.keys() : []);
    this.globalTask = this.globalTopology
      ? new StreamTask({
          id: new TaskId(-1, -1),
          topology: this.globalTopology,
          config: this.config,
          inputPartitions: [...this.globalTopics].map((topic) => ({ topic, partition: 0 })),
          collector: this.collector,
          cache,
          clock,
        })
      : null;
    this.globalTask?.initialize();

    this.processorTopology = internal.build(defaults);
    this.taskTopics = new Set(this.processorTopology.sourcesByTopic.keys());
    this.task =
      this.taskTopics.size > 0
        ? new StreamTask({
            id: new TaskId(0, 0),
            topology: this.processorTopology,
            config: this.config,
            inputPartitions: [...this.taskTopics].map((topic) => ({ topic, partition: 0 })),
            collector: this.collector,
            cache,
            clock,
            globalStores: this.globalTopology?.stores ?? new Map(),
          })
        : null;
    this.task?.initialize();
    this.completeAllProcessableWork();
  }

  /** An input topic. Records without timestamps start at `startTimestampMs` (default: the wall clock) and advance by `autoAdvanceMs`. */
  createInputTopic<K, V>(
    topic: string,
    keySerializer: SerializerLike<K>,
    valueSerializer: SerializerLike<V>,
    startTimestampMs: number = this.wallClockMs,
    autoAdvanceMs = 0,
  ): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, toSerializer(keySerializer), toSerializer(valueSerializer), startTimestampMs, autoAdvanceMs);
  }

  /** An output topic to read what the topology wrote. */
  createOutputTopic<K, V>(topic: string, keyDeserializer: DeserializerLike<K>, valueDeserializer: DeserializerLike<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, toDeserializer(keyDeserializer), toDeserializer(valueDeserializer));
  }

  /** @internal called by TestInputTopic. */
  pipeRecord(topic: string, timestamp: number, key: Buffer | null, value: Buffer | null, headers: Headers): void {
    this.checkOpen();
    const isTask = this.taskTopics.has(topic);
    const isGlobal = this.globalTopics.has(topic);
    if (!isTask && !isGlobal) {
      throw new IllegalArgumentError(`Unknown topic: ${topic}. The topology reads: ${[...this.taskTopics, ...this.globalTopics].join(', ') || 'nothing'}`);
    }
    if (isTask) {
      this.enqueue(topic, timestamp, key, value, headers);
      this.completeAllProcessableWork();
    }
    if (isGlobal) this.processGlobal(topic, timestamp, key, value, headers);
  }

  /** Advances the mocked wall clock, firing wall-clock punctuations. */
  advanceWallClockTime(ms: number): void {
    this.checkOpen();
    if (ms < 0) throw new IllegalArgumentError('advanceWallClockTime needs a non-negative duration');
    this.wallClockMs += ms;
    if (this.task) {
      this.task.maybePunctuateSystemTime();
      this.commit(this.task);
    }
    this.completeAllProcessableWork();
  }

  /** Names of every topic the topology wrote to, internal ones included. */
  producedTopicNames(): Set<string> {
    return new Set(this.produced);
  }

  /** A store by name (task or global), or undefined. */
  getStateStore(name: string): StateStore | undefined {
    return this.processorTopology.stores.get(name) ?? this.globalTopology?.stores.get(name);
  }

  /** Every store, by name. */
  getAllStateStores(): Map<string, StateStore> {
    const out = new Map<string, StateStore>();
    for (const [k, v] of this.processorTopology.stores) out.set(k, v);
    for (const [k, v] of this.globalTopology?.stores ?? []) out.set(k, v);
    return out;
  }

  /**
   * A key-value store by name. For a DSL store (whose values carry
   * timestamps) it returns a view of the plain values, as Kafka's driver does.
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined {
    const store = this.getStateStore(name);
    if (!(store instanceof MeteredKeyValueStore)) return undefined;
    if (this.isTimestamped(name)) return timestampedToPlainView(store as unknown as TimestampedKeyValueStore<K, V>);
    return store as unknown as KeyValueStore<K, V>;
  }

  /** A timestamped key-value store by name (values with their timestamps). */
  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> | undefined {
    const store = this.getStateStore(name);
    if (!(store instanceof MeteredKeyValueStore) || !this.isTimestamped(name)) return undefined;
    return store as unknown as TimestampedKeyValueStore<K, V>;
  }

  /**
   * A window store by name. For a DSL store (values with timestamps) it
   * returns the plain values, as Kafka's driver does.
   */
  getWindowStore<K, V>(name: string): WindowStore<K, V> | undefined {
    const builder = this.topology.internal.storeBuilder(name);
    const store = this.getStateStore(name);
    if (!(builder instanceof WindowStoreBuilder) || store === undefined) return undefined;
    if (builder.kind === 'timestampedWindow') return timestampedWindowToPlainView(store as unknown as TimestampedWindowStore<K, V>);
    return store as unknown as WindowStore<K, V>;
  }

  /** A window store with its values' timestamps. */
  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> | undefined {
    const builder = this.topology.internal.storeBuilder(name);
    if (!(builder instanceof WindowStoreBuilder) || builder.kind !== 'timestampedWindow') return undefined;
    return this.getStateStore(name) as unknown as TimestampedWindowStore<K, V>;
  }

  /** A session store by name. */
  getSessionStore<K, V>(name: string): SessionStore<K, V> | undefined {
    const builder = this.topology.internal.storeBuilder(name);
    if (!(builder instanceof SessionStoreBuilder)) return undefined;
    return this.getStateStore(name) as unknown as SessionStore<K, V>;
  }

  /** Records dropped by processors (null keys, expired windows, ...) and skipped on input. */
  droppedRecords(): number {
    return (this.task?.droppedRecords ?? 0) + (this.task?.skippedRecords() ?? 0);
  }

  /** Commits, then closes every processor and store. */
  close(): void {
    if (this.closed) return;
    if (this.task) {
      this.commit(this.task);
      this.captureOutputs();
      this.task.close();
    }
    this.globalTask?.close();
    this.closed = true;
  }

  /** @internal used by TestOutputTopic. */
  readRecord(topic: string): ProducedRecord | undefined {
    return this.outputs.get(topic)?.shift();
  }

  /** @internal used by TestOutputTopic. */
  queueSize(topic: string): number {
    return this.outputs.get(topic)?.size ?? 0;
  }

  private isTimestamped(name: string): boolean {
    const builder = this.topologyBuilderOf(name);
    return builder instanceof KeyValueStoreBuilder && builder.kind === 'timestampedKeyValue';
  }

  private topologyBuilderOf(name: string) {
    return this.topology.internal.storeBuilder(name);
  }

  private enqueue(topic: string, timestamp: number, key: Buffer | null, value: Buffer | null, headers: Headers): void {
    const offset = this.nextOffset.get(topic) ?? 0;
    this.nextOffset.set(topic, offset + 1);
    const raw: RawRecord = { topic, partition: 0, offset, timestamp, key, value, headers };
    this.task?.addRecord(raw);
  }

  private completeAllProcessableWork(): void {
    this.captureOutputs();
    const task = this.task;
    if (task === null) return;
    while (task.hasRecordsQueued()) {
      task.process();
      task.maybePunctuateStreamTime();
      this.commit(task);
      this.captureOutputs();
    }
  }

  /**
   * Commits after a record as Kafka's driver does (steps 1 and 2: caches flushed). Step 3,
   * writing RocksDB stores, runs once their uncommitted writes pass
   * STORE_COMMIT_BYTES: a WriteBatch per record would only slow tests down (the driver's
   * state is temporary), but the writes must not pile up in memory either.
   */
  private commit(task: StreamTask): void {
    task.prepareCommit();
    task.postCommit();
    const stores = task.persistentStores();
    if (stores !== undefined && stores.uncommittedBytes() > STORE_COMMIT_BYTES) stores.commit();
  }

  /** Moves what the task sent to the output queues, feeding internal and source topics back in. */
  private captureOutputs(): void {
    if (this.collector.size === 0) return;
    for (const r of this.collector.drain()) {
      this.produced.add(r.topic);
      let queue = this.outputs.get(r.topic);
      if (queue === undefined) {
        queue = new OutputQueue();
        this.outputs.set(r.topic, queue);
      }
      queue.push(r);
      if (this.taskTopics.has(r.topic)) this.enqueue(r.topic, r.timestamp, r.key, r.value, r.headers);
      if (this.globalTopics.has(r.topic)) this.processGlobal(r.topic, r.timestamp, r.key, r.value, r.headers);
    }
  }

  private processGlobal(topic: string, timestamp: number, key: Buffer | null, value: Buffer | null, headers: Headers): void {
    const task = this.globalTask;
    if (task === null) return;
    const offset = this.nextOffset.get(topic) ?? 0;
    this.nextOffset.set(topic, offset + 1);
    task.addRecords(topic, 0, [{ topic, partition: 0, offset, timestamp, key, value, headers: headers ?? Headers.EMPTY }]);
    while (task.process()) {
      task.prepareCommit();
      task.postCommit();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new IllegalArgumentError('The TopologyTestDriver is closed');
  }
}

/** A FIFO of produced records; reads advance an index instead of shifting the array. */
class OutputQueue {
  private items: ProducedRecord[] = [];
  private head = 0;

  push(r: ProducedRecord): void {
    this.items.push(r);
  }

  shift(): ProducedRecord | undefined {
    if (this.head >= this.items.length) return undefined;
    const r = this.items[this.head++];
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return r;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}
