/**
 * The idempotent producer over kafkajs, and `RecordSender`, which both producers use
 * to turn records into kafkajs messages and kafkajs' per-partition base offsets back into
 * per-record metadata.
 */
import type { ICustomPartitioner, Kafka, Message, Producer, RecordMetadata as KafkajsRecordMetadata, RetryOptions } from 'kafkajs';
import { KafkaStateError } from '../errors.js';
import type { KafkaProducer, ProducerRecord, RecordMetadata } from '../KafkaPort.js';
import { DefaultPartitioner } from '../partitioner.js';
import { tpKey } from '../util.js';
import { toStreamsError } from './errors.js';
import { toKafkajsMessage } from './messages.js';

/**
 * kafkajs' retry for producers. Idempotent kafkajs producers default to retrying
 * forever (with a warning if limited); a stream thread must hear about a broker that is
 * gone, and kafkajs rewinds sequence numbers on a failed attempt, so a bounded count
 * keeps the idempotence guarantee. The short first delay is for CONCURRENT_TRANSACTIONS
 * on back-to-back transactions, which kafkajs retries on send with this budget
 * (issue #1315; its 300 ms default is the latency complained about in issue #304).
 */
export const PRODUCER_RETRY: RetryOptions = { retries: 10, initialRetryTime: 25, maxRetryTime: 2000, factor: 0.2, multiplier: 2 };

type SendBatch = (batch: { topicMessages: { topic: string; messages: Message[] }[]; acks: number }) => Promise<KafkajsRecordMetadata[]>;

export class RecordSender {
  /** Where kafkajs' partitioner put each message that had no partition. */
  private readonly placed = new WeakMap<Message, number>();
  private readonly partitioner = new DefaultPartitioner();

  /**
   * For kafkajs' `createPartitioner`: Kafka's murmur2 placement (identical to the
   * embedded broker's and Java's), remembering where each message went.
   */
  readonly createPartitioner: ICustomPartitioner = () => (args) => {
    const { message } = args;
    const key = message.key === undefined || message.key === null ? null : Buffer.from(message.key);
    const p = message.partition ?? this.partitioner.partition(args.topic, key, args.partitionMetadata.length);
    this.placed.set(message, p);
    return p;
  };

  async send(records: readonly ProducerRecord[], sendBatch: SendBatch): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const now = Date.now();
    const messages = records.map((r) => toKafkajsMessage(r, now));
    const byTopic = new Map<string, Message[]>();
    records.forEach((r, i) => {
      const list = byTopic.get(r.topic);
      if (list === undefined) byTopic.set(r.topic, [messages[i] as Message]);
      else list.push(messages[i] as Message);
    });
    const topicMessages = [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
    const response = await sendBatch({ topicMessages, acks: -1 });
    const baseOffsets = new Map(response.map((m) => [tpKey(m.topicName, m.partition), Number(m.baseOffset)]));
    // kafkajs keeps the order of messages within a partition, so the i-th record sent to a
    // partition has offset base + i
    const seen = new Map<string, number>();
    return records.map((r, i) => {
      const msg = messages[i] as Message;
      const partition = r.partition ?? (this.placed.get(msg) as number);
      const key = tpKey(r.topic, partition);
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      return { topic: r.topic, partition, offset: (baseOffsets.get(key) ?? Number.NaN) + index, timestamp: Number(msg.timestamp) };
    });
  }
}

/**
 * Tracks sends in flight, for `flush()` (and for commit, which must wait for them).
 * Remembers the first failure since the last flush, so a caller that fires sends
 * without awaiting each still learns about it.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();
  private failure: { error: unknown } | null = null;

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    p.then(
      () => this.pending.delete(p),
      (error: unknown) => {
        this.pending.delete(p);
        this.failure ??= { error };
      },
    );
    return p;
  }

  /** Waits for all; rejects with the first failure since the last flush. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    const f = this.failure;
    this.failure = null;
    if (f !== null) throw f.error;
  }

  /** Waits for all and forgets failures. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.failure = null;
  }
}

export class KafkajsProducer implements KafkaProducer {
  private readonly sender = new RecordSender();
  private readonly inFlight = new InFlight();
  private readonly producer: Producer;
  private closed = false;

  private constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: this.sender.createPartitioner,
      retry: PRODUCER_RETRY,
    });
  }

  static async create(kafka: Kafka): Promise<KafkajsProducer> {
    const p = new KafkajsProducer(kafka);
    try {
      await p.producer.connect();
    } catch (e) {
      throw toStreamsError(e, 'connect producer');
    }
    return p;
  }

  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (this.closed) return Promise.reject(new KafkaStateError('Producer is closed'));
    const p = this.sender.send(records, (batch) => this.producer.sendBatch(batch)).catch((e: unknown) => {
      throw toStreamsError(e, `send to ${[...new Set(records.map((r) => r.topic))].join(', ')}`);
    });
    return this.inFlight.track(p);
  }

  flush(): Promise<void> {
    return this.inFlight.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inFlight.settle();
    await this.producer.disconnect().catch(() => {});
  }
}
