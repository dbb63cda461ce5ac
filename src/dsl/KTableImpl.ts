import { requireNonNull, TopologyError } from '../errors.js';
import type { StateStore } from '../state/StateStore.js';
import type { StoreBuilder } from '../state/StoreBuilder.js';
import type { Windowed } from '../windowing/Window.js';
import { SuppressionBufferBuilder } from './internals/SuppressionBuffer.js';
import { KTableSuppress, type SuppressOptions } from './processors/KTableSuppress.js';
import type { Suppressed } from './Suppressed.js';
import type { Processor } from '../processor/Processor.js';
import type { Serde } from '../serdes/Serde.js';
import type { KeyValue } from '../state/KeyValueStore.js';
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { Grouped } from './Grouped.js';
import type { InternalStreamsBuilder, MaterializedInternal } from './internals/InternalStreamsBuilder.js';
import type { KTableParent } from './internals/KTableParent.js';
import type { KTableProcessorSupplier, KTableValueGetterSupplier } from './internals/KTableValueGetter.js';
import type { KGroupedTable } from './KGroupedTable.js';
import { KGroupedTableImpl } from './KGroupedTableImpl.js';
import type { KStream } from './KStream.js';
import { KStreamImpl } from './KStreamImpl.js';
import type { KTable } from './KTable.js';
import { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import { namedAndMaterialized } from './internals/namedAndMaterialized.js';
import { KTableFilter } from './processors/KTableFilter.js';
import { KTableKTableJoin, type TableJoinKind } from './processors/KTableKTableJoin.js';
import { KTableKTableJoinMerger } from './processors/KTableKTableJoinMerger.js';
import { KTableMapValues } from './processors/KTableMapValues.js';
import { ktableRepartitionMap } from './processors/KTableRepartitionMap.js';
import { kstreamMapValues } from './processors/KStreamMapValues.js';
import { KTableSource } from './processors/KTableSource.js';
import type { Change } from './internals/Change.js';

/** @internal State every DSL table object carries. */
export interface TableState<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly name: string;
  readonly keySerde: Serde<K> | null;
  readonly valueSerde: Serde<V> | null;
  readonly sourceNodes: readonly string[];
  readonly queryableStoreName: string | null;
  readonly supplier: KTableProcessorSupplier<K, any, K, V>;
  /** For tables made by a windowed aggregation: the windows' grace, which suppress(untilWindowCloses) waits. */
  readonly windowGraceMs?: number;
}


/** The KTable implementation. */
export class KTableImpl<K, V> implements KTable<K, V>, KTableParent<K, V> {
  private sendOldValues = false;

  constructor(readonly t: TableState<K, V>) {}

  private get builder(): InternalStreamsBuilder {
    return this.t.builder;
  }

  queryableStoreName(): string | null {
    return this.t.queryableStoreName;
  }

  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    return this.t.supplier.view();
  }

  enableSendingOldValues(forceMaterialization: boolean): boolean {
    if (this.sendOldValues) return true;
    const s = this.t.supplier;
    if (s instanceof KTableSource) {
      if (!forceMaterialization && !s.materialized()) return false;
      s.enableSendingOldValues(true);
    } else if (!s.enableSendingOldValues(forceMaterialization)) {
      return false;
    }
    this.sendOldValues = true;
    return true;
  }

  /** A node that reads this table's updates and may materialize its own store. */
  private addTableNode<VR>(name: string, supplier: KTableProcessorSupplier<K, unknown, K, VR>, mat: MaterializedInternal<K, VR> | null): void {
    const parent = this.t.name;
    const builder = this.builder;
    builder.addGraphNode({
      name,
      parents: [parent],
      write: (b) => {
        b.addProcessor(name, () => supplier.get() as Processor<unknown, unknown, unknown, unknown>, [parent]);
        if (mat !== null) b.addStateStore(builder.storeBuilder(mat), [name]);
      },
    });
  }

  /** Kafka burns a store name for a Materialized without one, then materializes only named ones. */
  private materializedFor<VR>(m: Materialized<K, VR> | undefined, prefix: string): MaterializedInternal<K, VR> | null {
    if (m === undefined) return null;
    if (m.storeName === null) this.builder.names.newStoreName(prefix);
    if (m.storeName === null) return null;
    return this.builder.materialize(m, prefix);
  }

  private doFilter(predicate: Predicate<K, V>, filterNot: boolean, a?: Materialized<K, V> | Named, b?: Materialized<K, V>): KTable<K, V> {
    requireNonNull(predicate, 'predicate');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.materializedFor(materialized, 'KTABLE-FILTER-');
    if (mat) {
      mat.keySerde ??= this.t.keySerde;
      mat.valueSerde ??= this.t.valueSerde;
    }
    const name = this.builder.names.orElseGenerate(named?.name, 'KTABLE-FILTER-');
    const supplier = new KTableFilter<K, V>(this, predicate, filterNot, mat?.storeName ?? null);
    this.addTableNode(name, supplier, mat);
    return new KTableImpl<K, V>({
      ...this.t,
      name,
      keySerde: mat?.keySerde ?? this.t.keySerde,
      valueSerde: mat?.valueSerde ?? this.t.valueSerde,
      queryableStoreName: mat?.storeName ?? null,
      supplier,
    });
  }

  filter(predicate: Predicate<K, V>, a?: Materialized<K, V> | Named, b?: Materialized<K, V>): KTable<K, V> {
    return this.doFilter(predicate, false, a, b);
  }

  filterNot(predicate: Predicate<K, V>, a?: Materialized<K, V> | Named, b?: Materialized<K, V>): KTable<K, V> {
    return this.doFilter(predicate, true, a, b);
  }

  mapValues<VR>(mapper: ValueMapper<V, VR, K>, a?: Materialized<K, VR> | Named, b?: Materialized<K, VR>): KTable<K, VR> {
    requireNonNull(mapper, 'mapper');
    const { named, materialized } = namedAndMaterialized(a, b);
    const mat = this.materializedFor(materialized, 'KTABLE-MAPVALUES-');
    if (mat) mat.keySerde ??= this.t.keySerde;
    const name = this.builder.names.orElseGenerate(named?.name, 'KTABLE-MAPVALUES-');
    const supplier = new KTableMapValues<K, V, VR>(this, mapper, mat?.storeName ?? null);
    this.addTableNode(name, supplier, mat);
    return new KTableImpl<K, VR>({
      ...this.t,
      name,
      keySerde: mat?.keySerde ?? this.t.keySerde,
      valueSerde: mat?.valueSerde ?? null,
      queryableStoreName: mat?.storeName ?? null,
      supplier,
    });
  }

  toStream(named?: Named): KStream<K, V> {
    const name = this.builder.names.orElseGenerate(named?.name, 'KTABLE-TOSTREAM-');
    const parent = this.t.name;
    const supplier = kstreamMapValues<K, Change<V>, V | null>((change) => change.newValue);
    this.builder.addGraphNode({ name, parents: [parent], write: (b) => b.addProcessor(name, supplier as () => Processor<unknown, unknown, unknown, unknown>, [parent]) });
    return new KStreamImpl<K, V>({
      builder: this.builder,
      name,
      keySerde: this.t.keySerde,
      valueSerde: this.t.valueSerde,
      sourceNodes: this.t.sourceNodes,
      repartitionRequired: false,
    });
  }

  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, a?: Named | Materialized<K, VR>, b?: Materialized<K, VR>): KTable<K, VR> {
    return this.doJoin(other, joiner as never, 'inner', a, b);
  }

  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, a?: Named | Materialized<K, VR>, b?: Materialized<K, VR>): KTable<K, VR> {
    return this.doJoin(other, joiner as never, 'left', a, b);
  }

  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, a?: Named | Materialized<K, VR>, b?: Materialized<K, VR>): KTable<K, VR> {
    return this.doJoin(other, joiner as never, 'outer', a, b);
  }

  private doJoin<VO, VR>(
    otherTable: KTable<K, VO>,
    joiner: (v1: V | null, v2: VO | null, key: K) => VR,
    kind: 'inner' | 'left' | 'outer',
    a?: Named | Materialized<K, VR>,
    b?: Materialized<K, VR>,
  ): KTable<K, VR> {
    requireNonNull(otherTable, 'other');
    requireNonNull(joiner, 'joiner');
    const other = otherTable as KTableImpl<K, VO>;
    const { named, materialized } = namedAndMaterialized(a, b);
    // Kafka resolves the Materialized (drawing a store name if unnamed) before naming the join's nodes
    const mat = materialized ? this.builder.materialize(materialized, 'KTABLE-MERGE-') : null;
    const mergeName = this.builder.names.orElseGenerate(named?.name, 'KTABLE-MERGE-');
    const sourceNodes = new KStreamImpl<K, V>({ ...this.t, repartitionRequired: false }).copartitionWith(other.t.sourceNodes);
    if (kind !== 'inner') this.enableSendingOldValues(true);
    if (kind === 'outer') other.enableSendingOldValues(true);
    const otherKind: TableJoinKind = kind === 'left' ? 'right' : kind;
    const joinThis = new KTableKTableJoin<K, V, VO, VR>(kind, this, other, joiner);
    const joinOther = new KTableKTableJoin<K, VO, V, VR>(otherKind, other, this, (v2, v1, key) => joiner(v1, v2, key));
    const thisName = this.builder.names.suffixedOrElseGenerate(named?.name, '-join-this', 'KTABLE-JOINTHIS-');
    const otherName = this.builder.names.suffixedOrElseGenerate(named?.name, '-join-other', 'KTABLE-JOINOTHER-');
    if (mat) mat.keySerde ??= this.t.keySerde;
    const merger = new KTableKTableJoinMerger<K, VR>(joinThis as never, joinOther as never, mat?.storeName ?? null);
    const thisStores = this.valueGetterSupplier().storeNames();
    const otherStores = other.valueGetterSupplier().storeNames();
    const builder = this.builder;
    const thisParent = this.t.name;
    const otherParent = other.t.name;
    builder.addGraphNode({
      name: mergeName,
      parents: [thisParent, otherParent],
      write: (tb) => {
        tb.addProcessor(thisName, () => joinThis.get() as Processor<unknown, unknown, unknown, unknown>, [thisParent]);
        tb.addProcessor(otherName, () => joinOther.get() as Processor<unknown, unknown, unknown, unknown>, [otherParent]);
        tb.addProcessor(mergeName, () => merger.get() as Processor<unknown, unknown, unknown, unknown>, [thisName, otherName]);
        tb.connectProcessorAndStateStores(thisName, otherStores);
        tb.connectProcessorAndStateStores(otherName, thisStores);
        if (mat !== null) tb.addStateStore(builder.storeBuilder(mat), [mergeName]);
      },
    });
    return new KTableImpl<K, VR>({
      builder,
      name: mergeName,
      keySerde: mat?.keySerde ?? this.t.keySerde,
      valueSerde: mat?.valueSerde ?? null,
      sourceNodes,
      queryableStoreName: mat?.storeName ?? null,
      supplier: merger,
    });
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    requireNonNull(suppressed, 'suppressed');
    const name = suppressed.name ?? this.builder.names.newProcessorName('KTABLE-SUPPRESS-');
    const storeName = suppressed.name !== null ? `${suppressed.name}-store` : this.builder.names.newStoreName('KTABLE-SUPPRESS-');
    let options: SuppressOptions<K>;
    if (suppressed.kind === 'untilWindowCloses') {
      const grace = this.t.windowGraceMs;
      if (grace === undefined) {
        throw new TopologyError(
          `Invalid topology: suppress(Suppressed.untilWindowCloses(...)) at ${name} needs a windowed KTable (from windowedBy(...).count/reduce/aggregate); use untilTimeLimit for other tables.`,
        );
      }
      options = {
        storeName,
        suppressDurationMs: grace,
        bufferTime: (key) => (key as unknown as Windowed<unknown>).window.end,
        bufferConfig: suppressed.bufferConfig,
        safeToDropTombstones: true,
      };
    } else {
      options = {
        storeName,
        suppressDurationMs: suppressed.timeLimitMs,
        bufferTime: (_key, ts) => ts,
        bufferConfig: suppressed.bufferConfig,
        safeToDropTombstones: false,
      };
    }
    const supplier = new KTableSuppress<K, V>(this, options);
    const buffer = new SuppressionBufferBuilder<K, V>(storeName, this.t.keySerde, this.t.valueSerde);
    if (!suppressed.bufferConfig.loggingEnabled) buffer.withLoggingDisabled();
    const parent = this.t.name;
    this.builder.addGraphNode({
      name,
      parents: [parent],
      write: (b) => {
        b.addProcessor(name, () => supplier.get() as Processor<unknown, unknown, unknown, unknown>, [parent]);
        b.addStateStore(buffer as unknown as StoreBuilder<StateStore>, [name]);
      },
    });
    return new KTableImpl<K, V>({ ...this.t, name, queryableStoreName: null, supplier });
  }

  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    requireNonNull(selector, 'selector');
    const selectName = this.builder.names.orElseGenerate(grouped?.name, 'KTABLE-SELECT-');
    const parent = this.t.name;
    const supplier = ktableRepartitionMap(selector);
    this.builder.addGraphNode({
      name: selectName,
      parents: [parent],
      write: (b) => b.addProcessor(selectName, supplier as () => Processor<unknown, unknown, unknown, unknown>, [parent]),
    });
    this.enableSendingOldValues(true);
    return new KGroupedTableImpl<KR, VR>(this.builder, selectName, grouped?.keySerde ?? null, grouped?.valueSerde ?? null, grouped?.name ?? null);
  }
}

export { Materialized };
