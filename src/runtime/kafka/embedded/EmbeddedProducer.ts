import { KafkaStateError, ProducerFencedError, UnknownTopicError } from '../errors.js';
import type {
  KafkaProducer,
  ProducerRecord,
  RecordMetadata,
  TopicPartitionOffset,
  TransactionalProducer,
  TransactionalProducerConfig,
} from '../KafkaPort.js';
import { DefaultPartitioner } from '../partitioner.js';
import type { EmbeddedCluster } from './Cluster.js';
import type { PartitionLog, TxnStatus } from './PartitionLog.js';
import { copyBytes, copyHeaders } from './records.js';
import type { ProducerIdentity } from './Transactions.js';

/**
 * Appends records to the embedded logs. All records are checked (topic and partition
 * exist) before any is written, so a failed send writes nothing. Idempotence is
 * trivially true here: an append is a synchronous in-process call, never retried, so it
 * cannot duplicate or reorder.
 */
class RecordWriter {
  private readonly partitioner = new DefaultPartitioner();

  constructor(private readonly cluster: EmbeddedCluster) {}

  write(records: readonly ProducerRecord[], txnFor: (log: PartitionLog) => TxnStatus | null): RecordMetadata[] {
    const logs = records.map((r) => this.cluster.log(r.topic, r.partition ?? this.partitioner.partition(r.topic, r.key, this.partitionCount(r.topic))));
    const now = this.cluster.clock();
    const out = records.map((r, i) => {
      const log = logs[i] as PartitionLog;
      const rec = log.append(copyBytes(r.key), copyBytes(r.value), copyHeaders(r.headers), r.timestamp ?? now, txnFor(log));
      return { topic: rec.topic, partition: rec.partition, offset: rec.offset, timestamp: rec.timestamp };
    });
    this.cluster.changed();
    return out;
  }

  private partitionCount(topic: string): number {
    const n = this.cluster.partitionCount(topic);
    if (n === undefined) throw new UnknownTopicError(`Topic '${topic}' does not exist (the embedded broker does not auto-create topics)`);
    return n;
  }
}

/** The embedded idempotent producer. */
export class EmbeddedProducer implements KafkaProducer {
  private readonly writer: RecordWriter;
  private closed = false;

  constructor(cluster: EmbeddedCluster) {
    this.writer = new RecordWriter(cluster);
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (this.closed) throw new KafkaStateError('Producer is closed');
    return this.writer.write(records, () => null);
  }

  async flush(): Promise<void> {
    // sends complete before they return
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * The embedded transactional producer. Creating it runs InitProducerId: the epoch of
 * its transactional id goes up, which aborts an older producer's open transaction and
 * fences that producer. Every call first lets the coordinator expire timed-out
 * transactions, then checks the epoch; once fenced, always fenced.
 */
export class EmbeddedTransactionalProducer implements TransactionalProducer {
  readonly transactionalId: string;
  private readonly identity: ProducerIdentity;
  private readonly writer: RecordWriter;
  private fenced: ProducerFencedError | null = null;
  private closed = false;

  constructor(
    private readonly cluster: EmbeddedCluster,
    config: TransactionalProducerConfig,
  ) {
    this.transactionalId = config.transactionalId;
    this.writer = new RecordWriter(cluster);
    this.identity = cluster.transactions.init(config.transactionalId, config.transactionTimeoutMs ?? 60_000);
  }

  async beginTransaction(): Promise<void> {
    this.guard();
    this.cluster.transactions.begin(this.identity, this.cluster.clock());
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.guard();
    const txns = this.cluster.transactions;
    if (!txns.hasOpen(this.identity)) throw new KafkaStateError(`Transactional producer '${this.transactionalId}': send() outside a transaction`);
    return this.writer.write(records, (log) => txns.enlist(this.identity, log));
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.guard();
    for (const o of offsets) this.cluster.log(o.topic, o.partition);
    this.cluster.transactions.addOffsets(this.identity, groupId, offsets);
  }

  async commitTransaction(): Promise<void> {
    this.guard();
    this.cluster.transactions.end(this.identity, true);
  }

  async abortTransaction(): Promise<void> {
    this.guard();
    this.cluster.transactions.end(this.identity, false);
  }

  inTransaction(): boolean {
    return this.fenced === null && !this.closed && this.cluster.transactions.hasOpen(this.identity);
  }

  /** Aborts an open transaction (nobody else can finish it), then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.inTransaction()) this.cluster.transactions.end(this.identity, false);
    this.closed = true;
  }

  private guard(): void {
    if (this.closed) throw new KafkaStateError(`Transactional producer '${this.transactionalId}' is closed`);
    if (this.fenced !== null) throw this.fenced;
    this.cluster.tick();
    try {
      this.cluster.transactions.check(this.identity);
    } catch (e) {
      if (e instanceof ProducerFencedError) this.fenced = e;
      throw e;
    }
  }
}
