/**
 * What the runtime needs to know about a topology, computed once per client from the
 * InternalTopologyBuilder: its stream sub-topologies, the topics they read, the topic
 * each input partition's task belongs to, and how partitions group into tasks.
 */
import type { InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import { ConfigError } from '../../errors.js';
import type { TopicPartition, TopicSubscription } from '../kafka/KafkaPort.js';
import { TaskId } from '../TaskId.js';

/** One stream sub-topology (global ones excluded: they make no tasks). */
export interface SubtopologyMeta {
  readonly id: number;
  readonly nodeNames: readonly string[];
  /** Topics it reads: user topics and repartition topics (decorated). */
  readonly sourceTopics: readonly string[];
  /** Topics it writes by name (dynamic sinks excluded). */
  readonly sinkTopics: readonly string[];
  /** Changelog topic by store name, for its logged stores. */
  readonly changelogTopics: ReadonlyMap<string, string>;
}

/** A task and the partitions it reads. */
export interface TaskPartitions {
  readonly id: TaskId;
  readonly partitions: readonly TopicPartition[];
}

/** Orders task ids as Kafka does: by sub-topology, then partition. */
export function compareTaskIds(a: TaskId, b: TaskId): number {
  return a.subtopology - b.subtopology || a.partition - b.partition;
}

export class TopologyMetadata {
  readonly subtopologies: readonly SubtopologyMeta[];
  /** Decorated names of the repartition topics. */
  readonly repartitionTopics: ReadonlySet<string>;
  /** Topics of the global stores. */
  readonly globalTopics: readonly string[];
  private readonly subtopologyOfTopic = new Map<string, SubtopologyMeta>();

  constructor(readonly internal: InternalTopologyBuilder) {
    this.subtopologies = internal.subtopologies().map((s) => ({
      id: s.id,
      nodeNames: s.nodeNames,
      sourceTopics: s.sourceTopics,
      sinkTopics: s.sinkTopics,
      changelogTopics: s.changelogTopics,
    }));
    this.repartitionTopics = new Set(internal.repartitionTopics().map((t) => t.name));
    this.globalTopics = internal.globalTopics();
    // a topic is read by one source only (the builder refuses a second), so by one sub-topology
    for (const s of this.subtopologies) for (const t of s.sourceTopics) this.subtopologyOfTopic.set(t, s);
  }

  /** Every topic the stream threads subscribe to, sorted. */
  sourceTopics(): string[] {
    return [...this.subtopologyOfTopic.keys()].sort();
  }

  /**
   * The source topics with their reset policies, for the consumer's subscription: a
   * source's own policy (Consumed.withOffsetResetPolicy), else the consumer's default
   * (earliest, Kafka Streams' default). Repartition topics always start at earliest.
   */
  sourceSubscriptions(): TopicSubscription[] {
    return this.sourceTopics().map((topic) => {
      const reset = this.repartitionTopics.has(topic) ? null : this.internal.offsetResetOf(topic);
      if (reset === 'none') {
        throw new ConfigError(
          `Source topic ${topic} has offset reset policy 'none', which kstreams does not support; use 'earliest' or 'latest'`,
        );
      }
      return reset === null ? { topic } : { topic, offsetReset: reset };
    });
  }

  /** Source topics that are not repartition topics: the user's input, which must exist. */
  externalSourceTopics(): string[] {
    return this.sourceTopics().filter((t) => !this.repartitionTopics.has(t));
  }

  subtopology(id: number): SubtopologyMeta | undefined {
    return this.subtopologies.find((s) => s.id === id);
  }

  /**
   * Every task of the topology, sorted: sub-topology `s` has as many tasks as its
   * largest source topic has partitions, and task `s_p` reads partition `p` of each of
   * its topics that has one (Kafka's DefaultPartitionGrouper).
   */
  tasks(partitionsPerTopic: ReadonlyMap<string, number>): TaskPartitions[] {
    const out: TaskPartitions[] = [];
    for (const s of this.subtopologies) {
      const counts = s.sourceTopics.map((t) => partitionsPerTopic.get(t) ?? 0);
      const n = Math.max(0, ...counts);
      for (let p = 0; p < n; p++) {
        const partitions = s.sourceTopics.filter((_, i) => (counts[i] as number) > p).map((topic) => ({ topic, partition: p }));
        out.push({ id: new TaskId(s.id, p), partitions });
      }
    }
    return out;
  }

  /** The task an input partition belongs to, or undefined for a topic the topology does not read. */
  taskOf(tp: TopicPartition): TaskId | undefined {
    const s = this.subtopologyOfTopic.get(tp.topic);
    return s === undefined ? undefined : new TaskId(s.id, tp.partition);
  }

  /**
   * Groups assigned partitions into tasks. The assignor hands out whole tasks, so this
   * recovers them from the partitions alone (no userData needed).
   */
  groupByTask(partitions: readonly TopicPartition[]): TaskPartitions[] {
    const byTask = new Map<string, { id: TaskId; partitions: TopicPartition[] }>();
    for (const tp of partitions) {
      const id = this.taskOf(tp);
      if (id === undefined) continue;
      const key = id.toString();
      let entry = byTask.get(key);
      if (entry === undefined) {
        entry = { id, partitions: [] };
        byTask.set(key, entry);
      }
      entry.partitions.push({ topic: tp.topic, partition: tp.partition });
    }
    return [...byTask.values()].sort((a, b) => compareTaskIds(a.id, b.id));
  }
}
