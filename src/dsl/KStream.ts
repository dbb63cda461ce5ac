import type { FixedKeyProcessor, Processor } from '../processor/Processor.js';
import type { KeyValue } from '../state/KeyValueStore.js';
import type { ProcessorSupplierLike } from '../topology/Topology.js';
import type { TopicNameExtractor } from '../topology/InternalProcessorContext.js';
import type { BranchedKStream } from './BranchedKStream.js';
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { GlobalKTable } from './GlobalKTable.js';
import type { Grouped } from './Grouped.js';
import type { Joined } from './Joined.js';
import type { KGroupedStream } from './KGroupedStream.js';
import type { KTable } from './KTable.js';
import type { Materialized } from './Materialized.js';
import type { Named } from './Named.js';
import type { Produced } from './Produced.js';
import type { Repartitioned } from './Repartitioned.js';
import type { StreamJoined } from './StreamJoined.js';
import type { JoinWindows } from '../windowing/JoinWindows.js';

/**
 * A record stream: each record is an independent event (Kafka's `KStream`).
 * Operations that change the key (map, flatMap, selectKey, process) mark the
 * stream for repartitioning; a later grouping or join then goes through a
 * repartition topic automatically.
 */
export interface KStream<K, V> {
  /** Keeps records for which the predicate is true. */
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  /** Keeps records for which the predicate is false. */
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  /** Sets a new key; marks the stream for repartitioning. */
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V>;
  /** Maps each record to a new key and value; marks the stream for repartitioning. */
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>;
  /** Maps each value; the key is kept, so no repartitioning is needed. The mapper also gets the key. */
  mapValues<VR>(mapper: ValueMapper<V, VR, K>, named?: Named): KStream<K, VR>;
  /** Maps each record to zero or more records; marks the stream for repartitioning. */
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR>;
  /** Maps each value to zero or more values, keeping the key. */
  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>, K>, named?: Named): KStream<K, VR>;
  /** Calls an action for each record and passes the record on. */
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V>;
  /** Calls an action for each record; a terminal operation. */
  foreach(action: ForeachAction<K, V>, named?: Named): void;
  /** Splits the stream into named branches by predicates. */
  split(named?: Named): BranchedKStream<K, V>;
  /** Merges another stream into this one. */
  merge(stream: KStream<K, V>, named?: Named): KStream<K, V>;
  /** Writes the stream to a topic, or to the topic an extractor picks per record. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void;
  /** Writes through a repartition topic, re-partitioning by the current key. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>;
  /** Reads the stream as a changelog: each record upserts its key (null deletes). */
  toTable(materialized?: Materialized<K, V>, named?: Named): KTable<K, V>;
  /** Groups by the current key (repartitioning first if the key was changed). */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>;
  /** Groups by a new key; always repartitions. */
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>;
  /** Joins each record with the table's current value for its key; no match, no output. */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /** Joins with a GlobalKTable on the key the selector picks; no match, no output. */
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: ValueJoiner<V, VG, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  /** Joins with another stream: records whose timestamps are within the join window. The result timestamp is the larger of the two. */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Like join, but a record with no match is joined with null. */
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /** Like the GlobalKTable join, but a record with no match is joined with null. */
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  /** Stream-stream left join: a left record with no match in its window is joined with null once the window (plus grace) has closed. */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Stream-stream outer join: unmatched records of either side are joined with null once their window has closed. */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /** Runs a Processor API processor on each record; connect stores by name. Marks the stream for repartitioning. */
  process<KOut, VOut>(
    supplier: ProcessorSupplierLike<Processor<K, V, KOut, VOut>>,
    ...storeNamesOrNamed: (string | Named)[]
  ): KStream<KOut, VOut>;
  /** Runs a fixed-key processor on each record: it may change values but not keys. */
  processValues<VOut>(
    supplier: ProcessorSupplierLike<FixedKeyProcessor<K, V, VOut>>,
    ...storeNamesOrNamed: (string | Named)[]
  ): KStream<K, VOut>;
}
