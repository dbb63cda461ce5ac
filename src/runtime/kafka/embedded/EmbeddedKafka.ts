import type {
  GroupConsumer,
  GroupConsumerConfig,
  KafkaAdmin,
  KafkaPort,
  KafkaProducer,
  ProducerConfig,
  TransactionalProducer,
  TransactionalProducerConfig,
} from '../KafkaPort.js';
import { EmbeddedCluster } from './Cluster.js';
import { EmbeddedAdmin } from './EmbeddedAdmin.js';
import { EmbeddedConsumer } from './EmbeddedConsumer.js';
import { EmbeddedProducer, EmbeddedTransactionalProducer } from './EmbeddedProducer.js';

export interface EmbeddedKafkaOptions {
  /** Clock for record timestamps, session and transaction timeouts (default Date.now). */
  readonly clock?: () => number;
}

/**
 * An in-process Kafka broker behind the same port as the real one, for the demo and
 * for fast tests. It keeps Kafka's semantics where kstreams depends on them (offsets,
 * markers, read_committed, groups with a pluggable assignor, fencing) and is simple
 * and deterministic otherwise: one node, no replication, no compaction or retention,
 * no network, everything in memory. It is not a performance reference: records are
 * copied at the boundary and nothing is batched or compressed.
 *
 * @example
 * const kafka = new EmbeddedKafka();
 * const admin = await kafka.admin();
 * await admin.createTopics([{ name: 'words', numPartitions: 2 }]);
 */
export class EmbeddedKafka implements KafkaPort {
  readonly name = 'embedded';
  /** The broker state; exposed for tests and tools that inspect logs directly. */
  readonly cluster: EmbeddedCluster;
  private readonly clients = new Set<{ close(): Promise<void> }>();

  constructor(options: EmbeddedKafkaOptions = {}) {
    this.cluster = new EmbeddedCluster(options.clock ?? Date.now);
  }

  async admin(): Promise<KafkaAdmin> {
    return this.track(new EmbeddedAdmin(this.cluster));
  }

  async consumer(config: GroupConsumerConfig): Promise<GroupConsumer> {
    return this.track(new EmbeddedConsumer(this.cluster, config));
  }

  async producer(_config?: ProducerConfig): Promise<KafkaProducer> {
    return this.track(new EmbeddedProducer(this.cluster));
  }

  async transactionalProducer(config: TransactionalProducerConfig): Promise<TransactionalProducer> {
    return this.track(new EmbeddedTransactionalProducer(this.cluster, config));
  }

  async close(): Promise<void> {
    const all = [...this.clients];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  private track<T extends { close(): Promise<void> }>(client: T): T {
    this.clients.add(client);
    return client;
  }
}
