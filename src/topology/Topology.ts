import { IllegalArgumentError } from '../errors.js';
import type { FixedKeyProcessor, Processor } from '../processor/Processor.js';
import type { Deserializer, Serializer } from '../serdes/Serde.js';
import type { StateStore } from '../state/StateStore.js';
import type { StoreBuilder } from '../state/StoreBuilder.js';
import type { StreamPartitioner, TopicNameExtractor } from './InternalProcessorContext.js';
import { type AutoOffsetReset, InternalTopologyBuilder } from './InternalTopologyBuilder.js';
import type { TimestampExtractor } from './TimestampExtractor.js';
import type { TopologyDescription } from './TopologyDescription.js';

/**
 * Makes a fresh processor per task: a function, or an object with `get()` and
 * optionally `stores()` (Kafka's ConnectedStoreProvider) whose stores are
 * added and connected automatically.
 */
export type ProcessorSupplierLike<P> = (() => P) | { get(): P; stores?(): StoreBuilder<StateStore>[] };

/** Options of a source node (Processor API). */
export interface SourceOptions<K = unknown, V = unknown> {
  name: string;
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: AutoOffsetReset;
}

/** Options of a sink node (Processor API). */
export interface SinkOptions<K = unknown, V = unknown> {
  name: string;
  keySerializer?: Serializer<K>;
  valueSerializer?: Serializer<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** Options of a global store (Processor API). */
export interface GlobalStoreOptions<K = unknown, V = unknown> {
  keyDeserializer?: Deserializer<K>;
  valueDeserializer?: Deserializer<V>;
  timestampExtractor?: TimestampExtractor;
}

/**
 * @internal resolves a supplier to a factory function plus the stores it
 * brings, and refuses one that hands out a single shared processor (each task
 * needs its own instance; Kafka's ApiUtils.checkSupplier does the same).
 */
export function resolveSupplier<P>(supplier: ProcessorSupplierLike<P>, nodeName?: string): { get: () => P; stores: StoreBuilder<StateStore>[] } {
  const resolved = typeof supplier === 'function' ? { get: supplier, stores: [] } : { get: () => supplier.get(), stores: supplier.stores?.() ?? [] };
  const first = nodeName === undefined ? null : resolved.get();
  if (first !== null && first === resolved.get()) {
    throw new IllegalArgumentError(
      `The processor supplier of ${nodeName} returns the same processor object on every call; it must create a new processor each time it is called.`,
    );
  }
  return resolved;
}

/**
 * A processing graph: sources, processors, sinks and the stores they use
 * (Kafka's `Topology`). Built by hand with the Processor API, or by
 * `StreamsBuilder.build()` from the DSL.
 */
export class Topology {
  /** @internal */
  readonly internal: InternalTopologyBuilder;

  constructor(internal?: InternalTopologyBuilder) {
    this.internal = internal ?? new InternalTopologyBuilder();
  }

  /** Adds a source reading `topics`. */
  addSource(nameOrOptions: string | SourceOptions, ...topics: string[]): this {
    const o: SourceOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    this.internal.addSource(o.name, topics, {
      keyDeserializer: (o.keyDeserializer as Deserializer<unknown>) ?? null,
      valueDeserializer: (o.valueDeserializer as Deserializer<unknown>) ?? null,
      timestampExtractor: o.timestampExtractor ?? null,
      offsetReset: o.offsetReset ?? null,
    });
    return this;
  }

  /** Adds a processor whose input comes from `parentNames`. */
  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplierLike<Processor<KIn, VIn, KOut, VOut>>,
    ...parentNames: string[]
  ): this {
    const s = resolveSupplier(supplier, name);
    this.internal.addProcessor(name, s.get as () => Processor<unknown, unknown, unknown, unknown>, parentNames);
    for (const b of s.stores) this.internal.addStateStore(b, [name], true);
    return this;
  }

  /** Adds a fixed-key processor (its forwarded records keep their key). */
  addFixedKeyProcessor<KIn, VIn, VOut>(
    name: string,
    supplier: ProcessorSupplierLike<FixedKeyProcessor<KIn, VIn, VOut>>,
    ...parentNames: string[]
  ): this {
    const s = resolveSupplier(supplier, name);
    this.internal.addProcessor(name, s.get as () => FixedKeyProcessor<unknown, unknown, unknown>, parentNames, true);
    for (const b of s.stores) this.internal.addStateStore(b, [name], true);
    return this;
  }

  /** Adds a sink writing to `topic` (or to the topic a TopicNameExtractor picks). */
  addSink<K = unknown, V = unknown>(
    nameOrOptions: string | SinkOptions<K, V>,
    topic: string | TopicNameExtractor<K, V>,
    ...parentNames: string[]
  ): this {
    const o: SinkOptions<K, V> = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    this.internal.addSink(o.name, topic as string | TopicNameExtractor<unknown, unknown>, parentNames, {
      keySerializer: (o.keySerializer as Serializer<unknown>) ?? null,
      valueSerializer: (o.valueSerializer as Serializer<unknown>) ?? null,
      partitioner: (o.partitioner as StreamPartitioner<unknown, unknown>) ?? null,
    });
    return this;
  }

  /** Adds a store and connects it to the named processors. */
  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    this.internal.addStateStore(builder, processorNames);
    return this;
  }

  /** Connects existing stores to a processor. */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    this.internal.connectProcessorAndStateStores(processorName, storeNames);
    return this;
  }

  /**
   * Adds a global store: every instance reads all partitions of `topic` into
   * it through `stateUpdateSupplier`'s processor. Its builder must have logging disabled.
   */
  addGlobalStore<K, V>(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    topic: string,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplierLike<Processor<K, V, never, never>>,
    options: GlobalStoreOptions<K, V> = {},
  ): this {
    const s = resolveSupplier(stateUpdateSupplier);
    this.internal.addGlobalStore(builder, sourceName, topic, processorName, s.get as () => Processor<unknown, unknown, unknown, unknown>, {
      keyDeserializer: (options.keyDeserializer as Deserializer<unknown>) ?? null,
      valueDeserializer: (options.valueDeserializer as Deserializer<unknown>) ?? null,
      timestampExtractor: options.timestampExtractor ?? null,
    });
    return this;
  }

  /** Describes the topology; `toString()` prints Kafka Streams' layout. */
  describe(): TopologyDescription {
    return this.internal.describe();
  }
}
