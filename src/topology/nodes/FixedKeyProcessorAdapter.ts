import type { FixedKeyProcessor, FixedKeyProcessorContext, Processor, ProcessorContext } from '../../processor/Processor.js';
import { FixedKeyRecord, type Record } from '../../processor/Record.js';

/** Runs a FixedKeyProcessor as a node: wraps each record, and the context forwards FixedKeyRecords. */
export class FixedKeyProcessorAdapter implements Processor<unknown, unknown, unknown, unknown> {
  constructor(private readonly inner: FixedKeyProcessor<unknown, unknown, unknown>) {}

  init(context: ProcessorContext<unknown, unknown>): void {
    // The task's context accepts FixedKeyRecords in forward(), so it serves both shapes.
    this.inner.init?.(context as unknown as FixedKeyProcessorContext<unknown, unknown>);
  }

  process(record: Record<unknown, unknown>): void {
    this.inner.process(FixedKeyRecord.from(record));
  }

  close(): void {
    this.inner.close?.();
  }
}
