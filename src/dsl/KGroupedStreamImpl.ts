import { requireNonNull } from '../errors.js';
import { Serdes } from '../serdes/Serdes.js';
import type { Serde } from '../serdes/Serde.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import { SessionWindows } from '../windowing/SessionWindows.js';
import type { SlidingWindows } from '../windowing/SlidingWindows.js';
import type { TimeWindows } from '../windowing/TimeWindows.js';
import { GroupedStreamAggregateBuilder } from './internals/GroupedStreamAggregateBuilder.js';
import type { MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { SessionWindowedKStream } from './SessionWindowedKStream.js';
import { SessionWindowedKStreamImpl } from './SessionWindowedKStreamImpl.js';
import type { TimeWindowedKStream } from './TimeWindowedKStream.js';
import { TimeWindowedKStreamImpl } from './TimeWindowedKStreamImpl.js';
import type { KTableProcessorSupplier } from './internals/KTableValueGetter.js';
import type { KGroupedStream } from './KGroupedStream.js';
import type { StreamState } from './KStreamImpl.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import { namedAndMaterialized } from './internals/namedAndMaterialized.js';
import { KStreamAggregate } from './processors/KStreamAggregate.js';
import { KStreamReduce } from './processors/KStreamReduce.js';


/** The KGroupedStream implementation: adds the repartition step if needed, then the aggregating node. */
export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  /** Shared by plain and windowed aggregations, so a user-named repartition topic is created once. */
  private readonly aggregates: GroupedStreamAggregateBuilder<K, V>;

  constructor(
    private readonly s: StreamState<K, V>,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
    repartitionName: string | null,
    repartitionRequired: boolean,
  ) {
    this.aggregates = new GroupedStreamAggregateBuilder({ stream: s, keySerde, valueSerde, repartitionName, repartitionRequired });
  }

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    const { named, materialized } = namedAndMaterialized(a, b);
    // Kafka burns a store name when count() gets a Materialized without a name
    if (materialized !== undefined && materialized.storeName === null) this.s.builder.names.newStoreName('KSTREAM-AGGREGATE-');
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= Serdes.Long();
    const name = this.s.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, new KStreamAggregate<K, V, number>(mat.storeName, () => 0, (_k, _v, agg) => agg + 1), mat);
  }

  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    requireNonNull(reducer, 'reducer');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-REDUCE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= this.valueSerde;
    const name = this.s.builder.names.orElseGenerate(named?.name, 'KSTREAM-REDUCE-');
    return this.build(name, new KStreamReduce<K, V>(mat.storeName, reducer), mat);
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<K, VA> {
    requireNonNull(initializer, 'initializer');
    requireNonNull(aggregator, 'aggregator');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.s.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    const name = this.s.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, new KStreamAggregate<K, V, VA>(mat.storeName, initializer, aggregator), mat);
  }

  private build<VA>(name: string, supplier: KTableProcessorSupplier<K, V, K, VA>, mat: MaterializedInternal<K, VA>): KTable<K, VA> {
    const builder = this.s.builder;
    return this.aggregates.build(name, supplier, mat.storeName, () => builder.storeBuilder(mat), {
      keySerde: mat.keySerde,
      valueSerde: mat.valueSerde,
      queryableStoreName: mat.queryable ? mat.storeName : null,
    });
  }

  /** Cuts the grouped stream into time windows, sliding windows or sessions. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    requireNonNull(windows, 'windows');
    if (windows instanceof SessionWindows) {
      return new SessionWindowedKStreamImpl(this.s.builder, this.aggregates, windows, this.keySerde, this.valueSerde);
    }
    return new TimeWindowedKStreamImpl(this.s.builder, this.aggregates, windows, this.keySerde, this.valueSerde);
  }

}
