import type { Headers } from '../processor/Headers.js';
import type { ProcessorContext } from '../processor/Processor.js';
import type { Record } from '../processor/Record.js';
import type { RecordContext } from '../state/StateStore.js';
import type { ProcessorNode } from './nodes/ProcessorNode.js';

/** Decides the partition of an output record (Kafka's `StreamPartitioner`); undefined means "default". */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Picks the output topic of each record (Kafka's `TopicNameExtractor`). */
export type TopicNameExtractor<K, V> = (key: K, value: V, recordContext: RecordContext) => string;

/** Sends serialized records out of a task: to Kafka, or to the test driver's capture. */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: Headers,
    timestamp: number,
    partition: number | undefined,
  ): void;
  /** Partition count of a topic, for a custom partitioner. */
  partitionsFor(topic: string): number;
}

/**
 * What the executable nodes need from the task's context beyond the public
 * ProcessorContext. The runtime implements it; the topology only sees this.
 */
export interface InternalProcessorContext extends ProcessorContext<unknown, unknown> {
  currentNode(): ProcessorNode | null;
  setCurrentNode(node: ProcessorNode | null): void;
  recordContext(): RecordContext;
  setRecordContext(ctx: RecordContext): void;
  readonly recordCollector: RecordCollector;
  /** Records that a record was dropped (null key, too late, ...), for metrics and the test driver. */
  recordDropped(reason: string): void;
  /** Forwards a record from the current node, as `forward`, with no type constraints. */
  forward(record: Record<unknown, unknown>, childName?: string): void;
}
