import { IllegalArgumentError, requireNonNull } from '../errors.js';
import type { Serde } from '../serdes/Serde.js';
import { Serdes } from '../serdes/Serdes.js';
import type { StateStore } from '../state/StateStore.js';
import type { StoreBuilder } from '../state/StoreBuilder.js';
import { Stores } from '../state/Stores.js';
import { DslStoreSuppliers } from './internals/DslStoreSuppliers.js';
import { SlidingWindows } from '../windowing/SlidingWindows.js';
import type { TimeWindows } from '../windowing/TimeWindows.js';
import type { Windowed } from '../windowing/Window.js';
import { WindowedSerdes } from '../windowing/WindowedSerdes.js';
import { EmitStrategy } from './EmitStrategy.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { GroupedStreamAggregateBuilder } from './internals/GroupedStreamAggregateBuilder.js';
import type { InternalStreamsBuilder, MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { KTableProcessorSupplier } from './internals/KTableValueGetter.js';
import type { KTable } from './KTable.js';
import { type Materialized, StoreType } from './Materialized.js';
import type { Named } from './Named.js';
import { namedAndMaterialized } from './internals/namedAndMaterialized.js';
import { KStreamSlidingWindowAggregate } from './processors/KStreamSlidingWindowAggregate.js';
import { KStreamWindowAggregate } from './processors/KStreamWindowAggregate.js';
import type { TimeWindowedKStream } from './TimeWindowedKStream.js';


/** Time- and sliding-window aggregations of a grouped stream. */
export class TimeWindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V> {
  private strategy = EmitStrategy.onWindowUpdate();

  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly aggregates: GroupedStreamAggregateBuilder<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
  ) {}

  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    this.strategy = requireNonNull(strategy, 'emitStrategy');
    return this;
  }

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const { named, materialized } = namedAndMaterialized(a, b);
    // Kafka burns a store name when count() gets a Materialized without a name
    if (materialized !== undefined && materialized.storeName === null) this.builder.names.newStoreName('KSTREAM-AGGREGATE-');
    const mat = this.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= Serdes.Long();
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, mat, () => 0, (_k, _v, agg: number) => agg + 1);
  }

  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    requireNonNull(reducer, 'reducer');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KSTREAM-REDUCE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= this.valueSerde;
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-REDUCE-');
    // Kafka's reduce is an aggregate whose first value is the aggregate itself
    return this.build<V>(name, mat, () => null as V, (_k, v, agg) => (agg === null || agg === undefined ? v : reducer(agg, v)));
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    requireNonNull(initializer, 'initializer');
    requireNonNull(aggregator, 'aggregator');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, mat, initializer, aggregator);
  }

  private build<VA>(name: string, mat: MaterializedInternal<K, VA>, init: Initializer<VA>, agg: Aggregator<K, V, VA>): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const sliding = w instanceof SlidingWindows;
    const windowSize = sliding ? w.timeDifferenceMs : w.size();
    const minRetention = sliding ? 2 * w.timeDifferenceMs + w.gracePeriodMs() : w.size() + w.gracePeriodMs();
    const retention = mat.options?.retentionMs ?? minRetention;
    if (retention < minRetention) {
      throw new IllegalArgumentError(
        sliding
          ? `The retention period of the window store ${mat.storeName} must be no smaller than 2 * time difference plus the grace period. Got time difference=[${windowSize}], grace=[${w.gracePeriodMs()}], retention=[${retention}]`
          : `The retention period of the window store ${mat.storeName} must be no smaller than its window size plus the grace period. Got size=[${windowSize}], grace=[${w.gracePeriodMs()}], retention=[${retention}]`,
      );
    }
    const supplier: KTableProcessorSupplier<K, V, Windowed<K>, VA> = sliding
      ? new KStreamSlidingWindowAggregate<K, V, VA>(w, mat.storeName, this.strategy, init, agg)
      : new KStreamWindowAggregate<K, V, VA>(w, mat.storeName, this.strategy, init, agg);
    const onClose = this.strategy.type === 'ON_WINDOW_CLOSE';
    // With emit-on-close Kafka's default store is the time-ordered RocksDB window store, which
    // keeps a window while start >= streamTime - retention (the in-memory store: start > ...);
    // without that extra millisecond, a window closing exactly at the retention bound (e.g. no
    // grace) would be out of reach of the final-result range fetch and never emitted.
    const timeOrdered = onClose && mat.options?.storeType !== StoreType.IN_MEMORY;
    const storeRetention = timeOrdered ? retention + 1 : retention;
    const storeBuilder = (): StoreBuilder<StateStore> => {
      const b = Stores.timestampedWindowStoreBuilder(
        DslStoreSuppliers.window(mat.storeName, mat.options?.storeType ?? null, storeRetention, windowSize, false),
        mat.keySerde,
        mat.valueSerde,
      );
      const o = mat.options;
      // sliding windows with emit-on-close do not cache (Kafka's SlidingWindowStoreMaterializer)
      if ((o === null || o.cachingEnabled) && !(sliding && onClose)) b.withCachingEnabled();
      if (o !== null && !o.loggingEnabled) b.withLoggingDisabled();
      else b.withLoggingEnabled(o?.topicConfig ?? {});
      return b as unknown as StoreBuilder<StateStore>;
    };
    return this.aggregates.build(name, supplier, mat.storeName, storeBuilder, {
      keySerde: mat.keySerde ? WindowedSerdes.timeWindowedSerdeFrom(mat.keySerde, windowSize) : null,
      valueSerde: mat.valueSerde,
      queryableStoreName: mat.queryable ? mat.storeName : null,
      windowGraceMs: w.gracePeriodMs(),
    });
  }
}
