import { IsolationLevel, type KafkaAdmin, type NewTopic, type PartitionOffsets, type TopicPartition, type TopicsDescription } from '../KafkaPort.js';
import { KafkaStateError } from '../errors.js';
import type { EmbeddedCluster } from './Cluster.js';

/** Admin client of the embedded broker. */
export class EmbeddedAdmin implements KafkaAdmin {
  private closed = false;

  constructor(private readonly cluster: EmbeddedCluster) {}

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    this.ensureOpen();
    // validate all first, so a bad entry creates nothing
    for (const t of topics) if (this.cluster.topic(t.name) === undefined) this.cluster.validateNewTopic(t);
    for (const t of topics) this.cluster.createTopic(t);
  }

  async describeTopics(names: readonly string[]): Promise<TopicsDescription> {
    this.ensureOpen();
    const partitions = new Map<string, number>();
    const missing: string[] = [];
    for (const name of names) {
      const n = this.cluster.partitionCount(name);
      if (n === undefined) missing.push(name);
      else partitions.set(name, n);
    }
    return { partitions, missing };
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    this.ensureOpen();
    const n = this.cluster.partitionCount(topic) ?? 0;
    if (n === 0) this.cluster.log(topic, 0); // throws UnknownTopicError
    const out: PartitionOffsets[] = [];
    for (let p = 0; p < n; p++) {
      const log = this.cluster.log(topic, p);
      out.push({ partition: p, earliest: log.logStartOffset, latest: log.endOffset(IsolationLevel.READ_COMMITTED) });
    }
    return out;
  }

  async deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void> {
    this.ensureOpen();
    const logs = offsets.map((o) => this.cluster.log(topic, o.partition));
    offsets.forEach((o, i) => {
      logs[i]?.deleteRecordsBefore(o.offset);
    });
  }

  async fetchCommittedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<{ topic: string; partition: number; offset: number | null }[]> {
    this.ensureOpen();
    return partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: this.cluster.committedOffset(groupId, tp.topic, tp.partition) }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaStateError('Admin client is closed');
  }
}
