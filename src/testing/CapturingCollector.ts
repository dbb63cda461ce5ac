import type { Headers } from '../processor/Headers.js';
import type { RecordCollector } from '../topology/InternalProcessorContext.js';

/** A record a task sent, as captured by the test driver. */
export interface ProducedRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  readonly timestamp: number;
  readonly partition: number | undefined;
}

/** The test driver's record collector: keeps what was sent until the driver takes it. */
export class CapturingCollector implements RecordCollector {
  private history: ProducedRecord[] = [];

  send(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers, timestamp: number, partition: number | undefined): void {
    this.history.push({ topic, key, value, headers, timestamp, partition });
  }

  partitionsFor(): number {
    return 1;
  }

  get size(): number {
    return this.history.length;
  }

  /** Returns and forgets everything sent so far. */
  drain(): ProducedRecord[] {
    const out = this.history;
    this.history = [];
    return out;
  }
}
