import type { StateStore } from '../state/StateStore.js';
import type { FixedKeyRecord, Record } from './Record.js';

/** Which clock drives a punctuation. */
export const PunctuationType = {
  /** Fires as stream time (the max record timestamp a task has seen) advances. */
  STREAM_TIME: 'STREAM_TIME',
  /** Fires as the wall clock advances. */
  WALL_CLOCK_TIME: 'WALL_CLOCK_TIME',
} as const;
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType];

/** A scheduled callback; receives the time (stream or wall clock) it fires at. */
export type Punctuator = (timestamp: number) => void;

/** Handle to cancel a scheduled punctuation. */
export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from. Inside a punctuation: topic null, partition and offset -1 (as Kafka). */
export interface RecordMetadata {
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
}

/** The task a processor runs in, as `<subtopology>_<partition>`. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
  toString(): string;
}

/** What every processor context offers, whatever its forward signature. */
export interface BaseProcessorContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The application config the task runs with. */
  appConfigs(): Readonly<globalThis.Record<string, unknown>>;
  /** Metadata of the input record being processed (topic null inside a punctuation), or null when no record context exists (init). */
  recordMetadata(): RecordMetadata | null;
  /** The task's stream time: the highest record timestamp it has processed (-1 before any). */
  currentStreamTimeMs(): number;
  /** The wall clock (mocked in TopologyTestDriver). */
  currentSystemTimeMs(): number;
  /** A store connected to this processor. Throws a StateStoreNotAvailable/Topology error otherwise. */
  getStateStore<S extends StateStore>(name: string): S;
  /** Schedules a punctuation every `intervalMs` of stream time or wall-clock time. */
  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  /** Asks the runtime to commit the task soon. */
  commit(): void;
  /** Topic of the current input record (null in a punctuation). */
  topic(): string | null;
  /** Partition of the current input record (-1 in a punctuation). */
  partition(): number;
  /** Offset of the current input record (-1 in a punctuation). */
  offset(): number;
}

/** Context of a Processor: forwards records with any key to its children. */
export interface ProcessorContext<KForward = unknown, VForward = unknown> extends BaseProcessorContext {
  /** Sends a record to all children, or only to the child named `childName`. */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
}

/** Context of a FixedKeyProcessor: forwards only records whose key it did not change. */
export interface FixedKeyProcessorContext<KForward = unknown, VForward = unknown> extends BaseProcessorContext {
  forward<V extends VForward>(record: FixedKeyRecord<KForward, V>, childName?: string): void;
}

/** A node of the processor graph (Kafka's `api.Processor`). */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/** A processor that keeps the key (Kafka's `api.FixedKeyProcessor`), used by processValues. */
export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void;
  process(record: FixedKeyRecord<KIn, VIn>): void;
  close?(): void;
}

/** Makes a fresh processor for every task. Never return a shared instance. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;

/** Makes a fresh fixed-key processor for every task. */
export type FixedKeyProcessorSupplier<KIn, VIn, VOut = never> = () => FixedKeyProcessor<KIn, VIn, VOut>;
