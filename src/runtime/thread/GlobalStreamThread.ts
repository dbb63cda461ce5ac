/**
 * The global thread (Kafka's GlobalStreamThread): keeps every global store (GlobalKTable,
 * addGlobalStore) up to date from ALL partitions of its topic. `bootstrap()` reads each
 * partition to the end offset it had at start, before any stream thread processes, so
 * stream tasks see complete global tables from their first record; then a loop keeps
 * reading. Records go through the global sub-topology's own nodes in one StreamTask (the
 * same code the test driver runs), whose stores are flushed after every batch.
 */
import { StreamsError } from '../../errors.js';
import type { Headers } from '../../processor/Headers.js';
import { ThreadCache } from '../../state/internals/ThreadCache.js';
import type { StateStore } from '../../state/StateStore.js';
import type { BuildDefaults, InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import type { RecordCollector } from '../../topology/InternalProcessorContext.js';
import type { FetchedBatch, GroupConsumerConfig, KafkaAdmin, KafkaPort, TopicPartition } from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import { StreamTask } from '../task/StreamTask.js';
import { TaskId } from '../TaskId.js';
import { PartitionReader } from './PartitionReader.js';

/** Global processors only update their store; anything they send is a topology bug. */
const NO_OUTPUT: RecordCollector = {
  send(topic: string, _k: Buffer | null, _v: Buffer | null, _h: Headers): void {
    throw new StreamsError(`A global store processor tried to write to topic ${topic}; global processors may only update their store`);
  },
  partitionsFor: () => 1,
};

export interface GlobalThreadDeps {
  readonly port: KafkaPort;
  readonly admin: KafkaAdmin;
  readonly config: ResolvedStreamsConfig;
  readonly internal: InternalTopologyBuilder;
  readonly defaults: BuildDefaults;
  /** Partition counts of the global topics. */
  readonly partitions: ReadonlyMap<string, number>;
  readonly cacheBytes: number;
  readonly consumer: Partial<GroupConsumerConfig>;
  readonly clientId: string;
  readonly pollMs: number;
}

export class GlobalStreamThread {
  private task: StreamTask | null = null;
  private reader: PartitionReader | null = null;
  private stopping = false;
  /** Global stores by name, for the stream tasks (empty when the topology has none). */
  readonly stores: ReadonlyMap<string, StateStore>;
  /** Resolves when the loop ends: with the fatal error, or null. */
  done: Promise<Error | null> = Promise.resolve(null);

  constructor(private readonly deps: GlobalThreadDeps) {
    const topology = deps.internal.buildGlobal(deps.defaults);
    this.stores = topology?.stores ?? new Map();
    if (topology === null) return;
    this.task = new StreamTask({
      id: new TaskId(-1, -1),
      topology,
      config: deps.config,
      inputPartitions: this.inputPartitions(),
      collector: NO_OUTPUT,
      cache: new ThreadCache(deps.cacheBytes),
      clock: Date.now,
    });
  }

  /** Reads every global partition to its current end, then starts the loop that keeps the stores current. */
  async bootstrap(): Promise<void> {
    const task = this.task;
    if (task === null) return;
    task.initialize();
    const partitions = this.inputPartitions();
    try {
      this.reader = await PartitionReader.open(this.deps.port, {
        groupPrefix: `${this.deps.config.applicationId}-global-${this.deps.clientId}`,
        partitions,
        consumer: this.deps.consumer,
      });
      const ends = new Map<string, number>();
      for (const topic of new Set(partitions.map((tp) => tp.topic))) {
        for (const o of await this.deps.admin.listOffsets(topic)) if (o.latest > o.earliest) ends.set(tpKey(topic, o.partition), o.latest);
      }
      await this.reader.readToEnd(ends, (b) => this.apply(b), 60_000, () => this.stopping);
    } catch (e) {
      await this.close();
      throw e;
    }
    this.done = this.run();
  }

  private inputPartitions(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const topic of this.deps.internal.globalTopics()) {
      const n = this.deps.partitions.get(topic) ?? 0;
      for (let p = 0; p < n; p++) out.push({ topic, partition: p });
    }
    return out;
  }

  private apply(b: FetchedBatch): void {
    const task = this.task as StreamTask;
    task.addRecords(b.topic, b.partition, b.records);
    while (task.process()) {
      // records are applied one by one, in timestamp order across partitions
    }
    task.prepareCommit();
    task.postCommit();
  }

  private async run(): Promise<Error | null> {
    try {
      while (!this.stopping) {
        const batches = await (this.reader as PartitionReader).poll(this.deps.pollMs);
        for (const b of batches) this.apply(b);
      }
      return null;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    } finally {
      await this.close();
    }
  }

  /** Stops the loop; `done` resolves once the reader and the stores are closed. */
  shutdown(): void {
    this.stopping = true;
    this.reader?.wakeup();
  }

  private async close(): Promise<void> {
    await this.reader?.close().catch(() => {});
    this.reader = null;
    try {
      this.task?.close();
    } catch (e) {
      console.warn(`kstreams: error closing the global stores: ${(e as Error).message}`);
    }
  }
}
