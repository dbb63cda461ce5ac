/**
 * The record collector of a stream thread: what its tasks' sinks and changelogging
 * stores send, buffered and handed to the thread's producer in batches. One batch is in
 * flight at a time, so records of a partition reach Kafka in the order they were sent
 * whatever the client does with concurrent requests; the next batch builds up meanwhile.
 * `flush()` is step 2a of a commit: it resolves once Kafka has acknowledged every record
 * sent so far, and rejects if one could not be written (and the handler said 'fail').
 */
import { StreamsError, TaskCorruptedError, TaskMigratedError } from '../../errors.js';
import type { Headers } from '../../processor/Headers.js';
import type { RecordCollector } from '../../topology/InternalProcessorContext.js';
import type { ProductionHandler } from '../ErrorHandlers.js';
import type { KafkaProducer, ProducerRecord, RecordMetadata } from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';

/** Records per producer request; larger batches amortise the round trip. */
const DEFAULT_BATCH_SIZE = 1000;

/** Bytes of keys and values per send: well below the broker's default message.max.bytes of 1 MiB. */
const MAX_SEND_BYTES = 512 * 1024;
/** Rough per-record framing (headers, offsets, timestamps) counted toward MAX_SEND_BYTES. */
const RECORD_OVERHEAD_BYTES = 64;

export class RecordCollectorImpl implements RecordCollector {
  private buffer: ProducerRecord[] = [];
  private inFlight: Promise<void> | null = null;
  /** The last dispatch left records behind (cut at MAX_SEND_BYTES). */
  private cutShort = false;
  private failure: Error | null = null;
  private readonly acked = new Map<string, number>();
  /** Records dropped because the production handler said 'continue'. */
  droppedRecords = 0;

  constructor(
    private readonly producer: KafkaProducer,
    /** Partition count of a topic, or undefined when unknown. */
    private readonly partitionCount: (topic: string) => number | undefined,
    private readonly handler: ProductionHandler,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  send(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers, timestamp: number, partition: number | undefined): void {
    // an undefined partition is placed by the port: Kafka's murmur2 of the key
    this.buffer.push({ topic, partition, key, value, headers, timestamp });
    if (this.buffer.length >= this.batchSize) this.dispatch();
  }

  partitionsFor(topic: string): number {
    const n = this.partitionCount(topic);
    if (n === undefined) {
      throw new StreamsError(
        `Could not determine the number of partitions of topic ${topic} for a StreamPartitioner: the topic did not exist when the application started. Create it first.`,
      );
    }
    return n;
  }

  /**
   * Starts sending what is buffered, unless a batch is already on its way (it sends the
   * rest when done). One send carries at most MAX_SEND_BYTES of keys and values: the
   * broker refuses a partition's record batch above message.max.bytes (1 MiB by
   * default), and everything buffered while a batch was in flight can be far more.
   */
  dispatch(): void {
    if (this.inFlight !== null || this.buffer.length === 0) return;
    let bytes = 0;
    let n = 0;
    while (n < this.buffer.length) {
      const r = this.buffer[n] as ProducerRecord;
      const size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      if (n > 0 && bytes + size > MAX_SEND_BYTES) break;
      bytes += size;
      n++;
    }
    const batch = n === this.buffer.length ? this.buffer : this.buffer.slice(0, n);
    this.buffer = n === this.buffer.length ? [] : this.buffer.slice(n);
    this.cutShort = this.buffer.length > 0;
    this.inFlight = this.sendBatch(batch).then(() => this.afterBatch());
  }

  /**
   * Sends one batch. A batch fails as a whole, so a failed batch of several topics is
   * sent again topic by topic and only the topics that fail again go to the handler (its
   * verdict is about the records of a topic, as Kafka's is about a record). Records of a
   * topic that may have been written before the failure can appear twice: at-least-once.
   */
  private async sendBatch(batch: readonly ProducerRecord[]): Promise<void> {
    try {
      this.recordAcks(await this.producer.send(batch));
      return;
    } catch (e) {
      const topics = [...new Set(batch.map((r) => r.topic))];
      if (topics.length === 1) {
        this.onFailure(batch, e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
    for (const topic of new Set(batch.map((r) => r.topic))) {
      const part = batch.filter((r) => r.topic === topic);
      try {
        this.recordAcks(await this.producer.send(part));
      } catch (e) {
        this.onFailure(part, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  private afterBatch(): void {
    this.inFlight = null;
    // the rest of a batch cut at MAX_SEND_BYTES goes out at once
    if (this.buffer.length >= this.batchSize || this.cutShort) this.dispatch();
  }

  /** Commit step 2a: every record sent so far is acknowledged (or the handler dropped it). */
  async flush(): Promise<void> {
    for (;;) {
      this.dispatch();
      const pending = this.inFlight;
      if (pending === null) break;
      await pending;
    }
    this.throwIfFailed();
  }

  /**
   * Waits while more than `maxBuffered` records wait to be sent, so a thread that
   * processes faster than Kafka takes its output does not buffer without bound.
   */
  async backpressure(maxBuffered: number): Promise<void> {
    while (this.buffer.length > maxBuffered && this.inFlight !== null) await this.inFlight;
  }

  /**
   * The offset of the last acknowledged record of each partition written to, by
   * `topic|partition`: for changelogs, the offset a persistent store's data reflects
   * after a commit (step 3 of the protocol, once stores keep checkpoints).
   */
  ackedOffsets(): ReadonlyMap<string, number> {
    return this.acked;
  }

  private recordAcks(metadata: readonly RecordMetadata[]): void {
    for (let i = metadata.length - 1, last = ''; i >= 0; i--) {
      const m = metadata[i] as RecordMetadata;
      const key = tpKey(m.topic, m.partition);
      if (key === last) continue;
      last = key;
      if (m.offset > (this.acked.get(key) ?? -1)) this.acked.set(key, m.offset);
    }
  }

  /** Rethrows a send failure the handler did not forgive. */
  throwIfFailed(): void {
    const f = this.failure;
    if (f !== null) throw f;
  }

  /** The send failure the handler did not forgive, or null. */
  failed(): Error | null {
    return this.failure;
  }

  /** Forgets what was buffered and not yet sent (a dirty close: no commit covers it). */
  discardBuffered(): void {
    this.buffer = [];
  }

  /** Waits for the batch in flight, ignoring its outcome (before closing the producer). */
  async settle(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private onFailure(batch: readonly ProducerRecord[], error: Error): void {
    if (error instanceof TaskMigratedError || error instanceof TaskCorruptedError) {
      // a fenced producer or a failed transaction: no handler can drop its way out of it
      this.failure ??= error;
      return;
    }
    const topics = [...new Set(batch.map((r) => r.topic))];
    for (const topic of topics) {
      const verdict = typeof this.handler === 'function' ? this.handler(topic, error) : this.handler;
      if (verdict === 'continue') {
        const n = batch.filter((r) => r.topic === topic).length;
        this.droppedRecords += n;
        console.warn(`kstreams: dropped ${n} record(s) that could not be sent to ${topic} (productionExceptionHandler: continue): ${error.message}`);
      } else {
        this.failure ??= new StreamsError(
          `Error sending records to topic ${topic}: ${error.message}. The productionExceptionHandler is 'fail', so no offset ` +
            'covering these records is committed and the thread stops; set it to \'continue\' to drop such records instead.',
          { cause: error },
        );
      }
    }
  }
}

/**
 * A task's view of the thread's collector. Muted while the task restores (restoring
 * writes to stores must not be logged again) and when it is closed dirty (nothing it
 * emits then is covered by a commit, so nothing is sent).
 */
export class TaskCollector implements RecordCollector {
  muted = false;

  constructor(private readonly inner: RecordCollector) {}

  send(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers, timestamp: number, partition: number | undefined): void {
    if (!this.muted) this.inner.send(topic, key, value, headers, timestamp, partition);
  }

  partitionsFor(topic: string): number {
    return this.inner.partitionsFor(topic);
  }
}
