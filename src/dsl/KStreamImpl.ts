import { IllegalArgumentError, requireNonNull, TopologyError } from '../errors.js';
import type { FixedKeyProcessor, Processor } from '../processor/Processor.js';
import type { Serde } from '../serdes/Serde.js';
import type { KeyValue } from '../state/KeyValueStore.js';
import type { TopicNameExtractor } from '../topology/InternalProcessorContext.js';
import { type ProcessorSupplierLike, resolveSupplier } from '../topology/Topology.js';
import type { BranchedKStream } from './BranchedKStream.js';
import { BranchedKStreamImpl } from './BranchedKStreamImpl.js';
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { GlobalKTable } from './GlobalKTable.js';
import { Grouped } from './Grouped.js';
import type { GraphNode, InternalStreamsBuilder } from './internals/InternalStreamsBuilder.js';
import { Joined } from './Joined.js';
import type { KGroupedStream } from './KGroupedStream.js';
import { KGroupedStreamImpl } from './KGroupedStreamImpl.js';
import type { KStream } from './KStream.js';
import type { KTable } from './KTable.js';
import { KTableImpl } from './KTableImpl.js';
import type { Materialized } from './Materialized.js';
import { Named } from './Named.js';
import { Produced } from './Produced.js';
import { kstreamFilter } from './processors/KStreamFilter.js';
import { kstreamFlatMap } from './processors/KStreamFlatMap.js';
import { kstreamFlatMapValues } from './processors/KStreamFlatMapValues.js';
import { kstreamKTableJoin } from './processors/KStreamKTableJoin.js';
import { kstreamMap } from './processors/KStreamMap.js';
import { kstreamMapValues } from './processors/KStreamMapValues.js';
import { kstreamPeek } from './processors/KStreamPeek.js';
import { KTableSource } from './processors/KTableSource.js';
import { passThrough } from './processors/PassThrough.js';
import { Repartitioned } from './Repartitioned.js';
import { StreamJoined } from './StreamJoined.js';
import { addStreamStreamJoin } from './internals/StreamStreamJoinBuilder.js';
import type { JoinWindows } from '../windowing/JoinWindows.js';

/** @internal State every DSL stream object carries. */
export interface StreamState<K, V> {
  readonly builder: InternalStreamsBuilder;
  /** Name of the node this stream's records come out of. */
  readonly name: string;
  readonly keySerde: Serde<K> | null;
  readonly valueSerde: Serde<V> | null;
  /** Source node names feeding this stream (for co-partitioning checks). */
  readonly sourceNodes: readonly string[];
  /** True after a key-changing operation: grouping or joining must repartition first. */
  readonly repartitionRequired: boolean;
}

/** Adds a single-parent processor node to the graph. */
export function addProcessorNode(
  builder: InternalStreamsBuilder,
  name: string,
  parent: string,
  supplier: () => Processor<unknown, unknown, unknown, unknown>,
  nullKeyRelaxedJoin = false,
): void {
  builder.addGraphNode({ name, parents: [parent], nullKeyRelaxedJoin, write: (b) => b.addProcessor(name, supplier, [parent]) });
}

/** The KStream implementation: each method checks its arguments, names a node, adds it to the graph and returns a new stream. */
export class KStreamImpl<K, V> implements KStream<K, V> {
  /** Source of the repartition step of this stream's last join (Kafka's `repartitionNode`). */
  private joinRepartitionSource: string | null = null;

  constructor(readonly s: StreamState<K, V>) {}

  private get builder(): InternalStreamsBuilder {
    return this.s.builder;
  }

  private derive<K2, V2>(name: string, keySerde: Serde<K2> | null, valueSerde: Serde<V2> | null, repartitionRequired: boolean): KStreamImpl<K2, V2> {
    return new KStreamImpl<K2, V2>({ builder: this.builder, name, keySerde, valueSerde, sourceNodes: this.s.sourceNodes, repartitionRequired });
  }

  /** Kafka's NamedInternal.orElseGenerateWithPrefix: draws a number even when a name is given. */
  private nameFor(named: Named | undefined, prefix: string): string {
    return this.builder.names.orElseGenerate(named?.name, prefix);
  }

  private add(name: string, supplier: () => Processor<any, any, any, any>, nullKeyRelaxedJoin = false): void {
    addProcessorNode(this.builder, name, this.s.name, supplier as () => Processor<unknown, unknown, unknown, unknown>, nullKeyRelaxedJoin);
  }

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    requireNonNull(predicate, 'predicate');
    const name = this.nameFor(named, 'KSTREAM-FILTER-');
    this.add(name, kstreamFilter(predicate, false));
    return this.derive(name, this.s.keySerde, this.s.valueSerde, this.s.repartitionRequired);
  }

  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    requireNonNull(predicate, 'predicate');
    const name = this.nameFor(named, 'KSTREAM-FILTER-');
    this.add(name, kstreamFilter(predicate, true));
    return this.derive(name, this.s.keySerde, this.s.valueSerde, this.s.repartitionRequired);
  }

  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V> {
    requireNonNull(mapper, 'mapper');
    const name = this.nameFor(named, 'KSTREAM-KEY-SELECT-');
    this.add(name, kstreamMap<K, V, KR, V>((k, v) => ({ key: mapper(k, v), value: v })));
    return this.derive<KR, V>(name, null, this.s.valueSerde, true);
  }

  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    requireNonNull(mapper, 'mapper');
    const name = this.nameFor(named, 'KSTREAM-MAP-');
    this.add(name, kstreamMap(mapper));
    return this.derive<KR, VR>(name, null, null, true);
  }

  mapValues<VR>(mapper: ValueMapper<V, VR, K>, named?: Named): KStream<K, VR> {
    requireNonNull(mapper, 'mapper');
    const name = this.nameFor(named, 'KSTREAM-MAPVALUES-');
    this.add(name, kstreamMapValues(mapper));
    return this.derive<K, VR>(name, this.s.keySerde, null, this.s.repartitionRequired);
  }

  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR> {
    requireNonNull(mapper, 'mapper');
    const name = this.nameFor(named, 'KSTREAM-FLATMAP-');
    this.add(name, kstreamFlatMap(mapper));
    return this.derive<KR, VR>(name, null, null, true);
  }

  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>, K>, named?: Named): KStream<K, VR> {
    requireNonNull(mapper, 'mapper');
    const name = this.nameFor(named, 'KSTREAM-FLATMAPVALUES-');
    this.add(name, kstreamFlatMapValues(mapper));
    return this.derive<K, VR>(name, this.s.keySerde, null, this.s.repartitionRequired);
  }

  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    requireNonNull(action, 'action');
    const name = this.nameFor(named, 'KSTREAM-PEEK-');
    this.add(name, kstreamPeek(action, true));
    return this.derive(name, this.s.keySerde, this.s.valueSerde, this.s.repartitionRequired);
  }

  foreach(action: ForeachAction<K, V>, named?: Named): void {
    requireNonNull(action, 'action');
    const name = this.nameFor(named, 'KSTREAM-FOREACH-');
    this.add(name, kstreamPeek(action, false));
  }

  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStreamImpl(this.s, named);
  }

  merge(stream: KStream<K, V>, named?: Named): KStream<K, V> {
    requireNonNull(stream, 'stream');
    const other = (stream as KStreamImpl<K, V>).s;
    const name = this.nameFor(named, 'KSTREAM-MERGE-');
    const parents = [this.s.name, other.name];
    this.builder.addGraphNode({ name, parents, write: (b) => b.addProcessor(name, passThrough(), parents) });
    return new KStreamImpl<K, V>({
      builder: this.builder,
      name,
      keySerde: null,
      valueSerde: null,
      sourceNodes: [...new Set([...this.s.sourceNodes, ...other.sourceNodes])],
      repartitionRequired: this.s.repartitionRequired || other.repartitionRequired,
    });
  }

  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = Produced.empty()): void {
    if (topic === null || topic === undefined || topic === '') throw new TopologyError('Invalid topology: to() needs a topic name or a TopicNameExtractor');
    const name = this.builder.names.orElseGenerate(produced.name, 'KSTREAM-SINK-');
    const keySerde = produced.keySerde ?? this.s.keySerde;
    const valueSerde = produced.valueSerde ?? this.s.valueSerde;
    const parent = this.s.name;
    this.builder.addGraphNode({
      name,
      parents: [parent],
      write: (b) =>
        b.addSink(name, topic as string | TopicNameExtractor<unknown, unknown>, [parent], {
          keySerializer: keySerde?.serializer() ?? null,
          valueSerializer: valueSerde?.serializer() ?? null,
          partitioner: (produced.partitioner as never) ?? null,
        }),
    });
  }

  repartition(repartitioned: Repartitioned<K, V> = Repartitioned.empty()): KStream<K, V> {
    const name = repartitioned.name ?? this.builder.names.newProcessorName('KSTREAM-REPARTITION-');
    const keySerde = repartitioned.keySerde ?? this.s.keySerde;
    const valueSerde = repartitioned.valueSerde ?? this.s.valueSerde;
    if (repartitioned.numberOfPartitions !== null && !(repartitioned.numberOfPartitions >= 1)) {
      throw new IllegalArgumentError('Repartitioned.numberOfPartitions must be at least 1');
    }
    const { sourceName } = this.builder.repartition(this.s.name, name, keySerde as Serde<unknown>, valueSerde as Serde<unknown>, {
      partitioner: repartitioned.partitioner as never,
      numPartitions: repartitioned.numberOfPartitions,
    });
    return new KStreamImpl<K, V>({ builder: this.builder, name: sourceName, keySerde, valueSerde, sourceNodes: [sourceName], repartitionRequired: false });
  }

  toTable(materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    const name = this.nameFor(named, 'KSTREAM-TOTABLE-');
    const mat = this.builder.materialize(materialized, 'KSTREAM-TOTABLE-');
    mat.keySerde ??= this.s.keySerde;
    mat.valueSerde ??= this.s.valueSerde;
    let parent = this.s.name;
    let sourceNodes = this.s.sourceNodes;
    if (this.s.repartitionRequired) {
      const { sourceName } = this.builder.repartition(parent, name, mat.keySerde as Serde<unknown>, mat.valueSerde as Serde<unknown>);
      parent = sourceName;
      sourceNodes = [sourceName];
    }
    const source = new KTableSource<K, V>(mat.storeName, mat.queryable ? mat.storeName : null);
    const builder = this.builder;
    builder.addGraphNode({
      name,
      parents: [parent],
      write: (b) => {
        b.addProcessor(name, () => source.get() as Processor<unknown, unknown, unknown, unknown>, [parent]);
        if (source.materialized()) b.addStateStore(builder.storeBuilder(mat), [name]);
      },
    });
    return new KTableImpl<K, V>({ builder, name, keySerde: mat.keySerde, valueSerde: mat.valueSerde, sourceNodes, queryableStoreName: mat.queryable ? mat.storeName : null, supplier: source });
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    const g = grouped ?? Grouped.with(this.s.keySerde, this.s.valueSerde);
    return new KGroupedStreamImpl<K, V>(this.s, g.keySerde ?? this.s.keySerde, g.valueSerde ?? this.s.valueSerde, g.name, this.s.repartitionRequired);
  }

  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    requireNonNull(selector, 'selector');
    const g = grouped ?? Grouped.with<KR, V>(null, this.s.valueSerde);
    const name = this.builder.names.orElseGenerate(g.name, 'KSTREAM-KEY-SELECT-');
    this.add(name, kstreamMap<K, V, KR, V>((k, v) => ({ key: selector(k, v), value: v })));
    const state: StreamState<KR, V> = { ...this.s, name, keySerde: null, valueSerde: this.s.valueSerde, repartitionRequired: true } as StreamState<KR, V>;
    return new KGroupedStreamImpl<KR, V>(state, g.keySerde, g.valueSerde ?? this.s.valueSerde, g.name, true);
  }

  // The interface carries the typed overloads (table, global table, stream); these accept all three.
  join(table: any, joinerOrSelector: any, third?: any, fourth?: any): KStream<K, any> {
    return this.anyJoin(table, joinerOrSelector, third, fourth, false);
  }

  leftJoin(table: any, joinerOrSelector: any, third?: any, fourth?: any): KStream<K, any> {
    return this.anyJoin(table, joinerOrSelector, third, fourth, true);
  }

  private anyJoin<VT, VR>(
    table: KTable<K, VT> | GlobalKTable<unknown, unknown> | KStream<K, VT>,
    joinerOrSelector: unknown,
    joinedOrJoiner: unknown,
    named: unknown,
    leftJoin: boolean,
  ): KStream<K, VR> {
    requireNonNull(table, 'table');
    if (table instanceof KStreamImpl) {
      return this.streamStreamJoin(table, joinerOrSelector as never, joinedOrJoiner as JoinWindows, named as never, leftJoin, false);
    }
    if (!(table instanceof KTableImpl)) {
      return this.globalTableJoin(
        table as GlobalKTable<unknown, unknown>,
        requireNonNull(joinerOrSelector, 'keySelector') as KeyValueMapper<K, V, unknown>,
        requireNonNull(joinedOrJoiner, 'joiner') as ValueJoiner<V, unknown, VR, K>,
        named as Named | undefined,
        leftJoin,
      );
    }
    const joiner = requireNonNull(joinerOrSelector, 'joiner') as ValueJoiner<V, VT | null, VR, K>;
    const joined = (joinedOrJoiner as Joined<K, V, VT> | undefined) ?? Joined.with<K, V, VT>(null, null, null);
    const stream: KStreamImpl<K, V> = this.s.repartitionRequired
      ? this.repartitionForJoin(joined.name ?? this.s.name, joined.keySerde, joined.valueSerde)
      : this;
    return stream.doStreamTableJoin(table as KTableImpl<K, VT>, joiner, joined, leftJoin);
  }

  private doStreamTableJoin<VT, VR>(
    table: KTableImpl<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR, K>,
    joined: Joined<K, V, VT>,
    leftJoin: boolean,
  ): KStream<K, VR> {
    const sourceNodes = this.copartitionWith(table.t.sourceNodes);
    const name = this.builder.names.orElseGenerate(joined.name, leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
    const getter = table.valueGetterSupplier();
    const storeNames = getter.storeNames();
    const parent = this.s.name;
    const supplier = kstreamKTableJoin<K, V, K, VT, VR>(getter, (k) => k, joiner, leftJoin);
    this.builder.addGraphNode({
      name,
      parents: [parent],
      nullKeyRelaxedJoin: leftJoin,
      write: (b) => {
        b.addProcessor(name, supplier as () => Processor<unknown, unknown, unknown, unknown>, [parent]);
        if (storeNames.length > 0) b.connectProcessorAndStateStores(name, storeNames);
      },
    });
    return new KStreamImpl<K, VR>({ builder: this.builder, name, keySerde: this.s.keySerde, valueSerde: null, sourceNodes, repartitionRequired: false });
  }

  private globalTableJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    named: Named | undefined,
    leftJoin: boolean,
  ): KStream<K, VR> {
    // Kafka names both the inner and the left GlobalKTable join KSTREAM-LEFTJOIN-
    const name = this.nameFor(named, 'KSTREAM-LEFTJOIN-');
    this.add(name, kstreamKTableJoin<K, V, KG, VG, VR>(table.valueGetterSupplier(), keySelector, joiner, leftJoin), leftJoin);
    return this.derive<K, VR>(name, this.s.keySerde, null, this.s.repartitionRequired);
  }

  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return this.streamStreamJoin(other as KStreamImpl<K, VO>, joiner, windows, streamJoined, true, true);
  }

  /** Stream-stream joins: repartition either side if its key changed, then window both sides (Kafka's KStreamImpl.doJoin). */
  private streamStreamJoin<VO, VR>(
    other: KStreamImpl<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    streamJoined: StreamJoined<K, V, VO> | undefined,
    leftOuter: boolean,
    rightOuter: boolean,
  ): KStream<K, VR> {
    requireNonNull(other, 'otherStream');
    requireNonNull(joiner, 'joiner');
    requireNonNull(windows, 'windows');
    const joined = streamJoined ?? StreamJoined.with<K, V, VO>(null, null, null);
    let left: KStreamImpl<K, V> = this;
    let right: KStreamImpl<K, VO> = other;
    if (left.s.repartitionRequired) {
      const topic = joined.name === null ? left.s.name : `${joined.name}-left`;
      left = left.repartitionForJoin(topic, joined.keySerde, joined.valueSerde);
    }
    if (right.s.repartitionRequired) {
      const topic = joined.name === null ? right.s.name : `${joined.name}-right`;
      right = right.repartitionForJoin(topic, joined.keySerde, joined.otherValueSerde);
    }
    const sourceNodes = left.copartitionWith(right.s.sourceNodes);
    const mergeName = addStreamStreamJoin(left.s, right.s, joiner, windows, joined, leftOuter, rightOuter);
    return new KStreamImpl<K, VR>({ builder: this.builder, name: mergeName, keySerde: joined.keySerde, valueSerde: null, sourceNodes, repartitionRequired: false });
  }

  /**
   * Kafka's KStreamImpl.repartitionForJoin. The names of a repartition step
   * are drawn every time, but, as Kafka keeps `repartitionNode`, a later
   * join of this same stream that repartitions under the stream's own name
   * reuses the step (and topic) of the earlier one.
   */
  private repartitionForJoin(topicPrefix: string, keySerde: Serde<K> | null, valueSerde: Serde<V> | null): KStreamImpl<K, V> {
    const k = keySerde ?? this.s.keySerde;
    const v = valueSerde ?? this.s.valueSerde;
    const { sourceName, node } = this.builder.repartition(this.s.name, topicPrefix, k as Serde<unknown>, v as Serde<unknown>, { register: false });
    if (this.joinRepartitionSource === null || topicPrefix !== this.s.name) {
      this.builder.addGraphNode(node);
      this.joinRepartitionSource = sourceName;
    }
    const source = this.joinRepartitionSource;
    return new KStreamImpl<K, V>({ builder: this.builder, name: source, keySerde: k, valueSerde: v, sourceNodes: [source], repartitionRequired: false });
  }

  /** Records that this stream and `others` must be co-partitioned; returns the union of their sources. */
  copartitionWith(others: readonly string[]): string[] {
    const all = [...new Set([...this.s.sourceNodes, ...others])];
    this.builder.addGraphNode({ name: `copartition-${all.join(',')}`, write: (b) => b.copartitionSourceNodes(all) });
    return all;
  }

  process<KOut, VOut>(
    supplier: ProcessorSupplierLike<Processor<K, V, KOut, VOut>>,
    ...storeNamesOrNamed: (string | Named)[]
  ): KStream<KOut, VOut> {
    requireNonNull(supplier, 'processorSupplier');
    const { named, stores } = splitNamed(storeNamesOrNamed);
    const name = named?.name ?? this.builder.names.newProcessorName('KSTREAM-PROCESSOR-');
    this.addStatefulNode(name, supplier, stores, false);
    return this.derive<KOut, VOut>(name, null, null, true);
  }

  processValues<VOut>(
    supplier: ProcessorSupplierLike<FixedKeyProcessor<K, V, VOut>>,
    ...storeNamesOrNamed: (string | Named)[]
  ): KStream<K, VOut> {
    requireNonNull(supplier, 'processorSupplier');
    const { named, stores } = splitNamed(storeNamesOrNamed);
    const name = named?.name ?? this.builder.names.newProcessorName('KSTREAM-PROCESSVALUES-');
    this.addStatefulNode(name, supplier, stores, true);
    return this.derive<K, VOut>(name, this.s.keySerde, null, this.s.repartitionRequired);
  }

  private addStatefulNode(name: string, supplier: ProcessorSupplierLike<unknown>, stores: string[], fixedKey: boolean): void {
    const resolved = resolveSupplier(supplier, name);
    const parent = this.s.name;
    const node: GraphNode = {
      name,
      parents: [parent],
      write: (b) => {
        b.addProcessor(name, resolved.get as () => Processor<unknown, unknown, unknown, unknown>, [parent], fixedKey);
        for (const sb of resolved.stores) b.addStateStore(sb, [name], true);
        if (stores.length > 0) b.connectProcessorAndStateStores(name, stores);
      },
    };
    this.builder.addGraphNode(node);
  }
}

function splitNamed(args: (string | Named)[]): { named: Named | undefined; stores: string[] } {
  let named: Named | undefined;
  const stores: string[] = [];
  for (const a of args) {
    if (a instanceof Named) named = a;
    else stores.push(a);
  }
  return { named, stores };
}
