/**
 * The transactional producer over kafkajs' `producer.transaction()`.
 *
 * kafkajs troubles handled here:
 * - CONCURRENT_TRANSACTIONS right after a commit: kafkajs retries it on send
 *   (AddPartitionsToTxn, issue #1315) within PRODUCER_RETRY, but not on sendOffsets
 *   (AddOffsetsToTxn, issue #430), so sendOffsets is retried here with backoff.
 * - Fencing arrives as INVALID_PRODUCER_EPOCH, or as code 90 (PRODUCER_FENCED), which
 *   kafkajs does not know. It is never retried: the producer is marked dead and every
 *   later call throws ProducerFencedError.
 * - A failed EndTxn leaves kafkajs' transaction state machine stuck in COMMITTING or
 *   ABORTING, so commit/abort cannot be retried: the producer is dead then too, and the
 *   error is a TransactionFailedError (outcome unknown).
 * - No KIP-447 (TxnOffsetCommit v1): zombie fencing rests on one transactional id per
 *   task, not on the consumer group generation.
 */
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { KafkaStateError, ProducerFencedError } from '../errors.js';
import type { ProducerRecord, RecordMetadata, TopicPartitionOffset, TransactionalProducer, TransactionalProducerConfig } from '../KafkaPort.js';
import { retryWithBackoff } from '../util.js';
import { isConcurrentTransactions, toStreamsError, toTransactionError } from './errors.js';
import { InFlight, PRODUCER_RETRY, RecordSender } from './KafkajsProducer.js';
import { toTopicOffsets } from './messages.js';

export class KafkajsTransactionalProducer implements TransactionalProducer {
  readonly transactionalId: string;
  private readonly sender = new RecordSender();
  private readonly inFlight = new InFlight();
  private readonly producer: Producer;
  private txn: Transaction | null = null;
  /** Set once fenced or after a failed EndTxn; thrown by every later call. */
  private dead: Error | null = null;
  private closed = false;

  private constructor(kafka: Kafka, config: TransactionalProducerConfig) {
    this.transactionalId = config.transactionalId;
    this.producer = kafka.producer({
      transactionalId: config.transactionalId,
      transactionTimeout: config.transactionTimeoutMs ?? 60_000,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: this.sender.createPartitioner,
      retry: PRODUCER_RETRY,
    });
  }

  /**
   * Connects and runs InitProducerId now, as Java's initTransactions(): that bumps the
   * epoch (fencing older producers with this id and aborting their open transaction).
   * kafkajs would do it lazily in the first transaction(); an empty transaction that is
   * aborted at once sends no EndTxn, so this is just the init.
   */
  static async create(kafka: Kafka, config: TransactionalProducerConfig): Promise<KafkajsTransactionalProducer> {
    const p = new KafkajsTransactionalProducer(kafka, config);
    try {
      await p.producer.connect();
      const t = await p.producer.transaction();
      await t.abort();
    } catch (e) {
      await p.producer.disconnect().catch(() => {});
      throw toStreamsError(e, `initialise transactional id ${config.transactionalId}`);
    }
    return p;
  }

  async beginTransaction(): Promise<void> {
    this.guard();
    if (this.txn !== null) throw new KafkaStateError(`Transactional producer '${this.transactionalId}' already has an open transaction`);
    try {
      this.txn = await this.producer.transaction();
    } catch (e) {
      throw this.fail(toStreamsError(e, 'begin transaction'));
    }
  }

  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    let txn: Transaction;
    try {
      txn = this.openTxn();
    } catch (e) {
      return Promise.reject(e);
    }
    const p = this.sender.send(records, (batch) => txn.sendBatch(batch)).catch((e: unknown) => {
      throw this.fail(toStreamsError(e, `send to ${[...new Set(records.map((r) => r.topic))].join(', ')} in a transaction`));
    });
    return this.inFlight.track(p);
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const txn = this.openTxn();
    if (offsets.length === 0) return;
    try {
      await retryWithBackoff(() => txn.sendOffsets({ consumerGroupId: groupId, topics: toTopicOffsets(offsets) }), isConcurrentTransactions);
    } catch (e) {
      throw this.fail(toStreamsError(e, `send offsets of group ${groupId} in a transaction`));
    }
  }

  async commitTransaction(): Promise<void> {
    const txn = this.openTxn();
    // a failed send fails the commit; the transaction stays open for abortTransaction()
    await this.inFlight.flush();
    try {
      await txn.commit();
    } catch (e) {
      throw this.fail(toTransactionError(e, 'commit transaction'), true);
    } finally {
      this.txn = null;
    }
  }

  async abortTransaction(): Promise<void> {
    const txn = this.openTxn();
    await this.inFlight.settle();
    try {
      await txn.abort();
    } catch (e) {
      throw this.fail(toTransactionError(e, 'abort transaction'), true);
    } finally {
      this.txn = null;
    }
  }

  inTransaction(): boolean {
    return this.txn !== null && this.dead === null && !this.closed;
  }

  /** Aborts an open transaction (best effort: nobody else can finish it), then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.inTransaction()) await this.abortTransaction().catch(() => {});
    this.closed = true;
    await this.inFlight.settle();
    await this.producer.disconnect().catch(() => {});
  }

  private openTxn(): Transaction {
    this.guard();
    if (this.txn === null) throw new KafkaStateError(`Transactional producer '${this.transactionalId}' has no open transaction; call beginTransaction()`);
    return this.txn;
  }

  private guard(): void {
    if (this.closed) throw new KafkaStateError(`Transactional producer '${this.transactionalId}' is closed`);
    if (this.dead !== null) throw this.dead;
  }

  /** Fencing (or any failed EndTxn when `endTxn`) kills the producer. */
  private fail(e: Error, endTxn = false): Error {
    if (e instanceof ProducerFencedError || endTxn) {
      this.dead ??= e;
      this.txn = null;
    }
    return e;
  }
}
