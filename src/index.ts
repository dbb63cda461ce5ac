/**
 * kstreams: Kafka Streams for Node.js, in TypeScript. The public API.
 */
export * from './errors.js';
// serdes
export type { Deserializer, Serde, Serializer } from './serdes/Serde.js';
export { serdeFrom } from './serdes/Serde.js';
export { Serdes } from './serdes/Serdes.js';
// Processor API
export { Headers, type Header } from './processor/Headers.js';
export { FixedKeyRecord, Record } from './processor/Record.js';
export {
  PunctuationType,
  type BaseProcessorContext,
  type Cancellable,
  type FixedKeyProcessor,
  type FixedKeyProcessorContext,
  type FixedKeyProcessorSupplier,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  type Punctuator,
  type RecordMetadata,
  type TaskId as TaskIdLike,
} from './processor/Processor.js';
// topology
export { Topology, type GlobalStoreOptions, type ProcessorSupplierLike, type SinkOptions, type SourceOptions } from './topology/Topology.js';
export type { AutoOffsetReset } from './topology/InternalTopologyBuilder.js';
export type { StreamPartitioner, TopicNameExtractor } from './topology/InternalProcessorContext.js';
export {
  TopologyDescription,
  type GlobalStoreDescription,
  type NodeDescription,
  type SubtopologyDescription,
} from './topology/TopologyDescription.js';
export {
  FailOnInvalidTimestamp,
  LogAndSkipOnInvalidTimestamp,
  UsePartitionTimeOnInvalidTimestamp,
  WallclockTimestampExtractor,
  type ConsumerRecord,
  type TimestampExtractor,
} from './topology/TimestampExtractor.js';
// state
export type { KeyValue, KeyValueIterator, KeyValueStore, ReadOnlyKeyValueStore } from './state/KeyValueStore.js';
export { keyValue } from './state/KeyValueStore.js';
export type { StateStore } from './state/StateStore.js';
export type { StoreBuilder } from './state/StoreBuilder.js';
export { Stores, type KeyValueBytesStoreSupplier, type TimestampedKeyValueStore } from './state/Stores.js';
export { ValueAndTimestamp } from './state/ValueAndTimestamp.js';
export type { RocksDBStoreOptions } from './state/rocksdb/RocksDBStoreCore.js';
export { DEFAULT_STATE_DIR, StateDirectory } from './state/rocksdb/TaskStateDirectory.js';
export type { ReadOnlySessionStore, ReadOnlyWindowStore, SessionStore, WindowStore } from './state/WindowStore.js';
export {
  SessionStoreBuilder,
  WindowStoreBuilder,
  type SessionBytesStoreSupplier,
  type TimestampedWindowStore,
  type WindowBytesStoreSupplier,
  type WindowStoreKind,
} from './state/Stores.js';
// DSL
export { StreamsBuilder } from './dsl/StreamsBuilder.js';
export type { KStream } from './dsl/KStream.js';
export type { KTable } from './dsl/KTable.js';
export type { GlobalKTable } from './dsl/GlobalKTable.js';
export type { KGroupedStream } from './dsl/KGroupedStream.js';
export type { KGroupedTable } from './dsl/KGroupedTable.js';
export type { BranchedKStream } from './dsl/BranchedKStream.js';
export { Branched } from './dsl/Branched.js';
export { Consumed } from './dsl/Consumed.js';
export { Produced } from './dsl/Produced.js';
export { Grouped } from './dsl/Grouped.js';
export { Joined } from './dsl/Joined.js';
export { Materialized, StoreType } from './dsl/Materialized.js';
export { Named } from './dsl/Named.js';
export { Repartitioned } from './dsl/Repartitioned.js';
export { StreamJoined } from './dsl/StreamJoined.js';
export { BufferConfig, Suppressed, type BufferFullStrategy } from './dsl/Suppressed.js';
export { EmitStrategy } from './dsl/EmitStrategy.js';
export type { TimeWindowedKStream } from './dsl/TimeWindowedKStream.js';
export type { SessionWindowedKStream } from './dsl/SessionWindowedKStream.js';
// windowing
export { Window, Windowed } from './windowing/Window.js';
export { TimeWindows } from './windowing/TimeWindows.js';
export { SlidingWindows } from './windowing/SlidingWindows.js';
export { SessionWindows } from './windowing/SessionWindows.js';
export { JoinWindows } from './windowing/JoinWindows.js';
export { WindowedSerdes } from './windowing/WindowedSerdes.js';
export { KeyValues } from './dsl/functions.js';
export type {
  Aggregator,
  ForeachAction,
  Initializer,
  KeyValueMapper,
  Merger,
  Predicate,
  Reducer,
  ValueJoiner,
  ValueMapper,
} from './dsl/functions.js';
// runtime config and handlers
export { ProcessingGuarantee, type StreamsConfig } from './runtime/StreamsConfig.js';
export { HandlerResponse, type DeserializationHandler, type ProcessingHandler, type ProductionHandler } from './runtime/ErrorHandlers.js';
export { TaskId } from './runtime/TaskId.js';
// runtime: KafkaStreams on Kafka (kafkajs) or the embedded broker
export { KafkaStreams, type KafkaStreamsOptions, type ThreadMetadata } from './runtime/KafkaStreams.js';
export {
  KafkaStreamsState,
  StreamThreadExceptionResponse,
  StreamThreadState,
  type StateListener,
  type StreamsUncaughtExceptionHandler,
} from './runtime/KafkaStreamsState.js';
export type { StateRestoreListener } from './runtime/StateRestoreListener.js';
export type { KafkaClientOptions } from './runtime/StreamsConfig.js';
export { CopartitionError, MissingSourceTopicError } from './runtime/errors.js';
export { sharedEmbeddedKafka } from './runtime/defaultPort.js';
export { EmbeddedKafka, type EmbeddedKafkaOptions } from './runtime/kafka/embedded/index.js';
export type { KafkaPort, TopicPartition as KafkaTopicPartition } from './runtime/kafka/KafkaPort.js';
// testing
export { TopologyTestDriver, type DeserializerLike, type SerializerLike } from './testing/TopologyTestDriver.js';
export { TestInputTopic } from './testing/TestInputTopic.js';
export { TestOutputTopic } from './testing/TestOutputTopic.js';
export { TestRecord } from './testing/TestRecord.js';
