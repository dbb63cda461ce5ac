import { requireNonNull } from '../errors.js';
import type { Processor } from '../processor/Processor.js';
import { Serdes } from '../serdes/Serdes.js';
import type { Serde } from '../serdes/Serde.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { KTableProcessorSupplier } from './internals/KTableValueGetter.js';
import type { KGroupedStream } from './KGroupedStream.js';
import type { StreamState } from './KStreamImpl.js';
import type { KTable } from './KTable.js';
import { KTableImpl } from './KTableImpl.js';
import type { Materialized } from './Materialized.js';
import { Named } from './Named.js';
import { KStreamAggregate } from './processors/KStreamAggregate.js';
import { KStreamReduce } from './processors/KStreamReduce.js';

function split<K, V>(a?: Named | Materialized<K, V>, b?: Materialized<K, V>): { named?: Named; materialized?: Materialized<K, V> } {
  return a instanceof Named ? { named: a, materialized: b } : { materialized: a ?? b };
}

/** The KGroupedStream implementation: adds the repartition step if needed, then the aggregating node. */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  /** A user-named repartition topic is shared by all aggregations of this grouping. */
  private sharedRepartitionSource: string | null = null;

  constructor(
    private readonly s: StreamState<K, V>,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
    private readonly repartitionName: string | null,
    private readonly repartitionRequired: boolean,
  ) {}

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    const { named, materialized } = split(a, b);
    // Kafka burns a store name when count() gets a Materialized without a name
    if (materialized !== undefined && materialized.storeName === null) this.s.builder.names.newStoreName('KSTREAM-AGGREGATE-');
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= Serdes.Long();
    const name = named?.name ?? this.s.builder.names.newProcessorName('KSTREAM-AGGREGATE-');
    return this.build(name, new KStreamAggregate<K, V, number>(mat.storeName, () => 0, (_k, _v, agg) => agg + 1), mat);
  }

  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    requireNonNull(reducer, 'reducer');
    const { named, materialized } = split(a, b);
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-REDUCE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= this.valueSerde;
    const name = named?.name ?? this.s.builder.names.newProcessorName('KSTREAM-REDUCE-');
    return this.build(name, new KStreamReduce<K, V>(mat.storeName, reducer), mat);
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<K, VA> {
    requireNonNull(initializer, 'initializer');
    requireNonNull(aggregator, 'aggregator');
    const { named, materialized } = split(a, b);
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    const name = named?.name ?? this.s.builder.names.newProcessorName('KSTREAM-AGGREGATE-');
    return this.build(name, new KStreamAggregate<K, V, VA>(mat.storeName, initializer, aggregator), mat);
  }

  private build<VA>(name: string, supplier: KTableProcessorSupplier<K, V, K, VA>, mat: MaterializedInternal<K, VA>): KTable<K, VA> {
    const builder = this.s.builder;
    let parent = this.s.name;
    let sourceNodes = this.s.sourceNodes;
    if (this.repartitionRequired) {
      const prefix = this.repartitionName ?? mat.storeName;
      const r = builder.repartition(parent, prefix, this.keySerde as Serde<unknown>, this.valueSerde as Serde<unknown>, {
        register: this.sharedRepartitionSource === null || this.repartitionName === null,
      });
      if (this.repartitionName !== null) this.sharedRepartitionSource ??= r.sourceName;
      parent = this.repartitionName !== null ? this.sharedRepartitionSource ?? r.sourceName : r.sourceName;
      sourceNodes = [parent];
    }
    const from = parent;
    builder.addGraphNode({
      name,
      write: (b) => {
        b.addProcessor(name, () => supplier.get() as Processor<unknown, unknown, unknown, unknown>, [from]);
        b.addStateStore(builder.storeBuilder(mat), [name]);
      },
    });
    return new KTableImpl<K, VA>({
      builder,
      name,
      keySerde: mat.keySerde,
      valueSerde: mat.valueSerde,
      sourceNodes,
      queryableStoreName: mat.queryable ? mat.storeName : null,
      supplier,
    });
  }
}
