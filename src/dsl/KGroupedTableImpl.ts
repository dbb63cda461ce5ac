import { requireNonNull } from '../errors.js';
import type { Processor } from '../processor/Processor.js';
import type { Deserializer, Serde, Serializer } from '../serdes/Serde.js';
import type { BuildDefaults } from '../topology/InternalTopologyBuilder.js';
import { Serdes } from '../serdes/Serdes.js';
import { FailOnInvalidTimestamp } from '../topology/TimestampExtractor.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import { changeSerde } from './internals/ChangeSerde.js';
import type { InternalStreamsBuilder, MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { KTableProcessorSupplier } from './internals/KTableValueGetter.js';
import type { KGroupedTable } from './KGroupedTable.js';
import type { KTable } from './KTable.js';
import { KTableImpl } from './KTableImpl.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import { namedAndMaterialized } from './internals/namedAndMaterialized.js';
import { KTableAggregate } from './processors/KTableAggregate.js';
import { KTableReduce } from './processors/KTableReduce.js';


/** The KGroupedTable implementation: a repartition topic of changes, then an aggregating node with adder and subtractor. */
export class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
  private sharedSource: string | null = null;

  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly parentName: string,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
    private readonly repartitionName: string | null,
  ) {}

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KTABLE-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= Serdes.Long();
    const supplier = new KTableAggregate<K, V, number>(mat.storeName, () => 0, (_k, _v, agg) => agg + 1, (_k, _v, agg) => agg - 1);
    return this.doAggregate(supplier, named, 'KTABLE-AGGREGATE-', mat);
  }

  reduce(adder: Reducer<V>, subtractor: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    requireNonNull(adder, 'adder');
    requireNonNull(subtractor, 'subtractor');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KTABLE-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= this.valueSerde;
    return this.doAggregate(new KTableReduce<K, V>(mat.storeName, adder, subtractor), named, 'KTABLE-REDUCE-', mat);
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    a?: Named | Materialized<K, VA>,
    b?: Materialized<K, VA>,
  ): KTable<K, VA> {
    requireNonNull(initializer, 'initializer');
    requireNonNull(adder, 'adder');
    requireNonNull(subtractor, 'subtractor');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KTABLE-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    return this.doAggregate(new KTableAggregate<K, V, VA>(mat.storeName, initializer, adder, subtractor), named, 'KTABLE-AGGREGATE-', mat);
  }

  private doAggregate<VA>(
    supplier: KTableProcessorSupplier<K, unknown, K, VA>,
    named: Named | undefined,
    functionPrefix: string,
    mat: MaterializedInternal<K, VA>,
  ): KTable<K, VA> {
    const names = this.builder.names;
    const sinkName = names.suffixedOrElseGenerate(named?.name, '-sink', 'KSTREAM-SINK-');
    const sourceName = names.suffixedOrElseGenerate(named?.name, '-source', 'KSTREAM-SOURCE-');
    const funcName = names.orElseGenerate(named?.name, functionPrefix);
    const topic = `${this.repartitionName ?? mat.storeName}-repartition`;
    if (this.sharedSource === null || this.repartitionName === null) {
      const parent = this.parentName;
      const keySerde = this.keySerde;
      const valueSerde = this.valueSerde as Serde<unknown> | null;
      // without a value serde on the grouping, wrap the application's default one
      const serde = (d: BuildDefaults) => changeSerde(valueSerde ?? d.valueSerde);
      this.builder.addGraphNode({
        name: sourceName,
        parents: [parent],
        write: (b) => {
          b.addInternalTopic(topic);
          b.addSink(sinkName, topic, [parent], {
            keySerializer: keySerde?.serializer() ?? null,
            valueSerializer: { late: (d) => serde(d).serializer() as Serializer<unknown> },
          });
          b.addSource(sourceName, [topic], {
            keyDeserializer: keySerde?.deserializer() ?? null,
            valueDeserializer: { late: (d) => serde(d).deserializer() as Deserializer<unknown> },
            timestampExtractor: new FailOnInvalidTimestamp(),
          });
        },
      });
      this.sharedSource = sourceName;
    }
    const from = this.sharedSource;
    const builder = this.builder;
    builder.addGraphNode({
      name: funcName,
      parents: [from],
      write: (b) => {
        b.addProcessor(funcName, () => supplier.get() as Processor<unknown, unknown, unknown, unknown>, [from]);
        b.addStateStore(builder.storeBuilder(mat), [funcName]);
      },
    });
    return new KTableImpl<K, VA>({
      builder,
      name: funcName,
      keySerde: mat.keySerde,
      valueSerde: mat.valueSerde,
      sourceNodes: [from],
      queryableStoreName: mat.queryable ? mat.storeName : null,
      supplier,
    });
  }
}
