import type { Admin, Kafka } from 'kafkajs';
import type { KafkaAdmin, NewTopic, PartitionOffsets, TopicPartition, TopicsDescription } from '../KafkaPort.js';
import { toStreamsError } from './errors.js';
import { byTopic } from './messages.js';

/** The admin port over kafkajs' admin client. */
export class KafkajsAdmin implements KafkaAdmin {
  private constructor(private readonly admin: Admin) {}

  static async create(kafka: Kafka): Promise<KafkajsAdmin> {
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (e) {
      throw toStreamsError(e, 'connect admin');
    }
    return new KafkajsAdmin(admin);
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    try {
      // kafkajs returns false (no error) when every topic already existed; waitForLeaders
      // so that producers and consumers can use the topics as soon as this resolves
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor ?? -1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (e) {
      // kafkajs tolerates "already exists" only when no other error came with it; one by one,
      // the real error surfaces and existing topics stay fine
      if (topics.length > 1 && includesAlreadyExists(e)) {
        for (const t of topics) await this.createTopics([t]);
        return;
      }
      throw toStreamsError(e, `create topics ${topics.map((t) => t.name).join(', ')}`);
    }
  }

  async describeTopics(names: readonly string[]): Promise<TopicsDescription> {
    try {
      // metadata for a missing topic is an error in kafkajs, so list first
      const existing = new Set(await this.admin.listTopics());
      const present = names.filter((n) => existing.has(n));
      const missing = names.filter((n) => !existing.has(n));
      const partitions = new Map<string, number>();
      if (present.length > 0) {
        const md = await this.admin.fetchTopicMetadata({ topics: present });
        for (const t of md.topics) partitions.set(t.name, t.partitions.length);
      }
      return { partitions, missing };
    } catch (e) {
      throw toStreamsError(e, `describe topics ${names.join(', ')}`);
    }
  }

  async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    try {
      // kafkajs' admin lists offsets read_committed: `high` is the last stable offset
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, earliest: Number(o.low), latest: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    } catch (e) {
      throw toStreamsError(e, `list offsets of ${topic}`);
    }
  }

  async deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.admin.deleteTopicRecords({ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })) });
    } catch (e) {
      throw toStreamsError(e, `delete records of ${topic}`);
    }
  }

  async fetchCommittedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<{ topic: string; partition: number; offset: number | null }[]> {
    if (partitions.length === 0) return [];
    try {
      const res = await this.admin.fetchOffsets({ groupId, topics: [...byTopic(partitions).keys()] });
      const found = new Map<string, number>();
      for (const t of res) for (const p of t.partitions) found.set(`${t.topic}|${p.partition}`, Number(p.offset));
      return partitions.map((tp) => {
        const o = found.get(`${tp.topic}|${tp.partition}`);
        return { topic: tp.topic, partition: tp.partition, offset: o === undefined || o < 0 ? null : o };
      });
    } catch (e) {
      throw toStreamsError(e, `fetch committed offsets of group ${groupId}`);
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => {});
  }
}

function includesAlreadyExists(e: unknown): boolean {
  const errors = (e as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.some((x) => (x as { type?: unknown }).type === 'TOPIC_ALREADY_EXISTS');
}
