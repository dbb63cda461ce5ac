import { IllegalArgumentError, requireNonNull } from '../errors.js';
import type { Processor } from '../processor/Processor.js';
import type { StateStore } from '../state/StateStore.js';
import type { StoreBuilder } from '../state/StoreBuilder.js';
import { InternalTopologyBuilder } from '../topology/InternalTopologyBuilder.js';
import { type ProcessorSupplierLike, resolveSupplier, Topology } from '../topology/Topology.js';
import { Consumed } from './Consumed.js';
import type { GlobalKTable } from './GlobalKTable.js';
import { GlobalKTableImpl } from './GlobalKTableImpl.js';
import { InternalStreamsBuilder } from './internals/InternalStreamsBuilder.js';
import type { KStream } from './KStream.js';
import { KStreamImpl } from './KStreamImpl.js';
import type { KTable } from './KTable.js';
import { KTableImpl } from './KTableImpl.js';
import { Materialized } from './Materialized.js';
import { KTableSource } from './processors/KTableSource.js';

/**
 * Entry point of the DSL (Kafka's `StreamsBuilder`): create streams and
 * tables from topics, chain operations, then `build()` the Topology.
 */
export class StreamsBuilder {
  private readonly dsl = new InternalStreamsBuilder();
  private built: Topology | null = null;

  /** A stream of the records of one or more topics. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V> = Consumed.empty()): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new IllegalArgumentError('stream() needs at least one topic');
    this.checkOpen();
    const name = this.dsl.names.orElseGenerate(consumed.name, 'KSTREAM-SOURCE-');
    this.dsl.addGraphNode({
      name,
      write: (b) =>
        b.addSource(name, list, {
          keyDeserializer: consumed.keySerde?.deserializer() ?? null,
          valueDeserializer: consumed.valueSerde?.deserializer() ?? null,
          timestampExtractor: consumed.timestampExtractor,
          offsetReset: consumed.offsetReset,
        }),
    });
    return new KStreamImpl<K, V>({
      builder: this.dsl,
      name,
      keySerde: consumed.keySerde,
      valueSerde: consumed.valueSerde,
      sourceNodes: [name],
      repartitionRequired: false,
    });
  }

  /** A table read from a changelog topic: each record upserts its key, null deletes. */
  table<K, V>(topic: string, consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    requireNonNull(topic, 'topic');
    this.checkOpen();
    const { consumed, mat: m } = this.splitArgs(consumedOrMaterialized, materialized);
    const mat = this.dsl.materialize(m, `${topic}-`);
    mat.keySerde ??= consumed.keySerde;
    mat.valueSerde ??= consumed.valueSerde;
    const keySerde = consumed.keySerde ?? mat.keySerde;
    const valueSerde = consumed.valueSerde ?? mat.valueSerde;
    const sourceName = this.dsl.names.suffixedOrElseGenerate(consumed.name, '-source', 'KSTREAM-SOURCE-');
    const tableSourceName = this.dsl.names.orElseGenerate(consumed.name, 'KTABLE-SOURCE-');
    const source = new KTableSource<K, V>(mat.storeName, mat.queryable ? mat.storeName : null);
    const dsl = this.dsl;
    dsl.addGraphNode({
      name: tableSourceName,
      write: (b) => {
        b.addSource(sourceName, [topic], {
          keyDeserializer: keySerde?.deserializer() ?? null,
          valueDeserializer: valueSerde?.deserializer() ?? null,
          timestampExtractor: consumed.timestampExtractor,
          offsetReset: consumed.offsetReset,
        });
        b.addProcessor(tableSourceName, () => source.get() as Processor<unknown, unknown, unknown, unknown>, [sourceName]);
        if (source.materialized()) b.addStateStore(dsl.storeBuilder(mat), [tableSourceName]);
      },
    });
    return new KTableImpl<K, V>({
      builder: dsl,
      name: tableSourceName,
      keySerde,
      valueSerde,
      sourceNodes: [sourceName],
      queryableStoreName: mat.queryable ? mat.storeName : null,
      supplier: source,
    });
  }

  /** A table replicated in full to every instance, joinable from streams by any key. */
  globalTable<K, V>(topic: string, consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    requireNonNull(topic, 'topic');
    this.checkOpen();
    const { consumed, mat: m } = this.splitArgs(consumedOrMaterialized, materialized);
    const mat = this.dsl.materialize(m, `${topic}-`);
    mat.keySerde ??= consumed.keySerde;
    mat.valueSerde ??= consumed.valueSerde;
    // global stores are restored from their source topic, never logged
    mat.options = (mat.options ?? Materialized.with(mat.keySerde, mat.valueSerde)).withLoggingDisabled();
    const keySerde = consumed.keySerde ?? mat.keySerde;
    const valueSerde = consumed.valueSerde ?? mat.valueSerde;
    const sourceName = this.dsl.names.suffixedOrElseGenerate(consumed.name, '-source', 'KSTREAM-SOURCE-');
    const processorName = this.dsl.names.orElseGenerate(consumed.name, 'KTABLE-SOURCE-');
    const source = new KTableSource<K, V>(mat.storeName, mat.storeName);
    const dsl = this.dsl;
    dsl.addGraphNode({
      name: processorName,
      write: (b) =>
        b.addGlobalStore(dsl.storeBuilder(mat), sourceName, topic, processorName, () => source.get() as Processor<unknown, unknown, unknown, unknown>, {
          keyDeserializer: keySerde?.deserializer() ?? null,
          valueDeserializer: valueSerde?.deserializer() ?? null,
          timestampExtractor: consumed.timestampExtractor,
        }),
    });
    return new GlobalKTableImpl<K, V>(mat.storeName);
  }

  /** Adds a store for use by process()/processValues() processors that name it. */
  addStateStore(builder: StoreBuilder<StateStore>): this {
    requireNonNull(builder, 'storeBuilder');
    this.checkOpen();
    this.dsl.addGraphNode({ name: builder.name, write: (b) => b.addStateStore(builder) });
    return this;
  }

  /** Adds a global store filled from `topic` by a processor (Processor API in the DSL). */
  addGlobalStore<K, V>(
    builder: StoreBuilder<StateStore>,
    topic: string,
    consumed: Consumed<K, V>,
    stateUpdateSupplier: ProcessorSupplierLike<Processor<K, V, never, never>>,
  ): this {
    this.checkOpen();
    // as Kafka's InternalStreamsBuilder.addGlobalStore: global stores are
    // restored from their source topic, so their logging is switched off
    builder.withLoggingDisabled();
    const sourceName = this.dsl.names.suffixedOrElseGenerate(consumed.name, '-source', 'KSTREAM-SOURCE-');
    const processorName = this.dsl.names.orElseGenerate(consumed.name, 'KTABLE-SOURCE-');
    const s = resolveSupplier(stateUpdateSupplier);
    this.dsl.addGraphNode({
      name: processorName,
      write: (b) =>
        b.addGlobalStore(builder, sourceName, topic, processorName, s.get as () => Processor<unknown, unknown, unknown, unknown>, {
          keyDeserializer: consumed.keySerde?.deserializer() ?? null,
          valueDeserializer: consumed.valueSerde?.deserializer() ?? null,
          timestampExtractor: consumed.timestampExtractor,
        }),
    });
    return this;
  }

  /**
   * Compiles the DSL graph into a Topology. Topology errors (duplicate store
   * or node names, missing parents) surface here. Later calls return the same Topology.
   */
  build(): Topology {
    if (this.built === null) {
      const internal = new InternalTopologyBuilder();
      this.dsl.writeTo(internal);
      this.built = new Topology(internal);
    }
    return this.built;
  }

  private checkOpen(): void {
    if (this.built !== null) throw new IllegalArgumentError('build() was already called; create a new StreamsBuilder for another topology');
  }

  private splitArgs<K, V>(a?: Consumed<K, V> | Materialized<K, V>, b?: Materialized<K, V>): { consumed: Consumed<K, V>; mat: Materialized<K, V> | undefined } {
    if (a instanceof Consumed) return { consumed: a, mat: b };
    if (a instanceof Materialized) return { consumed: Consumed.with(a.keySerde, a.valueSerde), mat: a };
    return { consumed: Consumed.empty(), mat: b };
  }
}
