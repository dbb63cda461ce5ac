/**
 * Under exactly-once, what a task's record collector sends through: the task's own
 * transactional producer, behind the plain producer interface the collector knows.
 * The first send after a commit opens the next transaction, so a task that produces
 * nothing in an interval opens none. The collector has one send in flight at a time,
 * so the transaction is never opened twice.
 *
 * The producer arrives after the task is created: it is initialised (fencing the
 * task's previous owner) when the assignment is applied, before the task restores.
 */
import { KafkaStateError } from '../kafka/errors.js';
import type { KafkaProducer, ProducerRecord, RecordMetadata, TransactionalProducer } from '../kafka/KafkaPort.js';

export class TransactionalSender implements KafkaProducer {
  private current: TransactionalProducer | null = null;

  constructor(private readonly taskKey: string) {}

  /** The task's producer, once initialised. */
  get producer(): TransactionalProducer | null {
    return this.current;
  }

  set producer(p: TransactionalProducer) {
    this.current = p;
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    const p = this.require();
    if (!p.inTransaction()) await p.beginTransaction();
    return p.send(records);
  }

  /** The collector awaits every send itself; nothing is left to wait for here. */
  async flush(): Promise<void> {}

  /** Closes the producer, aborting an open transaction. */
  async close(): Promise<void> {
    await this.current?.close();
  }

  private require(): TransactionalProducer {
    if (this.current === null) throw new KafkaStateError(`Task ${this.taskKey} sent a record before its transactional producer was initialised`);
    return this.current;
  }
}
