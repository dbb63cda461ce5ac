import { IllegalArgumentError, requireNonNull } from '../errors.js';
import type { Serde } from '../serdes/Serde.js';
import { Serdes } from '../serdes/Serdes.js';
import type { StateStore } from '../state/StateStore.js';
import type { StoreBuilder } from '../state/StoreBuilder.js';
import { Stores } from '../state/Stores.js';
import { DslStoreSuppliers } from './internals/DslStoreSuppliers.js';
import type { SessionWindows } from '../windowing/SessionWindows.js';
import type { Windowed } from '../windowing/Window.js';
import { WindowedSerdes } from '../windowing/WindowedSerdes.js';
import { EmitStrategy } from './EmitStrategy.js';
import type { Aggregator, Initializer, Merger, Reducer } from './functions.js';
import type { GroupedStreamAggregateBuilder } from './internals/GroupedStreamAggregateBuilder.js';
import type { InternalStreamsBuilder, MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import { namedAndMaterialized } from './internals/namedAndMaterialized.js';
import { KStreamSessionWindowAggregate } from './processors/KStreamSessionWindowAggregate.js';
import type { SessionWindowedKStream } from './SessionWindowedKStream.js';


/** Session-window aggregations of a grouped stream. */
export class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V> {
  private strategy = EmitStrategy.onWindowUpdate();

  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly aggregates: GroupedStreamAggregateBuilder<K, V>,
    private readonly windows: SessionWindows,
    private readonly keySerde: Serde<K> | null,
    private readonly valueSerde: Serde<V> | null,
  ) {}

  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    this.strategy = requireNonNull(strategy, 'emitStrategy');
    return this;
  }

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const { named, materialized } = namedAndMaterialized(a, b);
    if (materialized !== undefined && materialized.storeName === null) this.builder.names.newStoreName('KSTREAM-AGGREGATE-');
    const mat = this.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= Serdes.Long();
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, mat, () => 0, (_k, _v, agg: number) => agg + 1, (_k, a1, a2) => a1 + a2);
  }

  reduce(reducer: Reducer<V>, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<Windowed<K>, V> {
    requireNonNull(reducer, 'reducer');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KSTREAM-REDUCE-');
    mat.keySerde ??= this.keySerde;
    mat.valueSerde ??= this.valueSerde;
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-REDUCE-');
    const combine = (agg: V | null, v: V): V => (agg === null || agg === undefined ? v : reducer(agg, v));
    return this.build<V>(name, mat, () => null as V, (_k, v, agg) => combine(agg, v), (_k, a1, a2) => combine(a1, a2));
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    a?: Named | Materialized<K, VA>,
    b?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    requireNonNull(initializer, 'initializer');
    requireNonNull(aggregator, 'aggregator');
    requireNonNull(merger, 'sessionMerger');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.builder.materialize(materialized, 'KSTREAM-AGGREGATE-');
    mat.keySerde ??= this.keySerde;
    const name = this.builder.names.orElseGenerate(named?.name, 'KSTREAM-AGGREGATE-');
    return this.build(name, mat, initializer, aggregator, merger);
  }

  private build<VA>(name: string, mat: MaterializedInternal<K, VA>, init: Initializer<VA>, agg: Aggregator<K, V, VA>, merger: Merger<K, VA>): KTable<Windowed<K>, VA> {
    const w = this.windows;
    const minRetention = w.inactivityGap() + w.gracePeriodMs();
    const retention = mat.options?.retentionMs ?? minRetention;
    if (retention < minRetention) {
      throw new IllegalArgumentError(
        `The retention period of the session store ${mat.storeName} must be no smaller than the session inactivity gap plus the grace period. Got gap=[${w.inactivityGap()}], grace=[${w.gracePeriodMs()}], retention=[${retention}]`,
      );
    }
    const supplier = new KStreamSessionWindowAggregate<K, V, VA>(w, mat.storeName, this.strategy, init, agg, merger);
    const onClose = this.strategy.type === 'ON_WINDOW_CLOSE';
    const storeBuilder = (): StoreBuilder<StateStore> => {
      const b = Stores.sessionStoreBuilder(DslStoreSuppliers.session(mat.storeName, mat.options?.storeType ?? null, retention, onClose), mat.keySerde, mat.valueSerde);
      const o = mat.options;
      if ((o === null || o.cachingEnabled) && !onClose) b.withCachingEnabled();
      if (o !== null && !o.loggingEnabled) b.withLoggingDisabled();
      else b.withLoggingEnabled(o?.topicConfig ?? {});
      return b as unknown as StoreBuilder<StateStore>;
    };
    return this.aggregates.build(name, supplier, mat.storeName, storeBuilder, {
      keySerde: mat.keySerde ? WindowedSerdes.sessionWindowedSerdeFrom(mat.keySerde) : null,
      valueSerde: mat.valueSerde,
      queryableStoreName: mat.queryable ? mat.storeName : null,
      // a session closes gap + grace after its end (Kafka's GraphGraceSearchUtil), which is how long suppress() waits
      windowGraceMs: w.gracePeriodMs() + w.inactivityGap(),
    });
  }
}
