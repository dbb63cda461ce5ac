import type { Serde } from '../../serdes/Serde.js';
import type { StateStore } from '../../state/StateStore.js';
import type { StoreBuilder } from '../../state/StoreBuilder.js';
import { Stores } from '../../state/Stores.js';
import { DslStoreSuppliers } from './DslStoreSuppliers.js';
import type { StreamPartitioner } from '../../topology/InternalProcessorContext.js';
import type { InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import { FailOnInvalidTimestamp } from '../../topology/TimestampExtractor.js';
import type { Materialized } from '../Materialized.js';
import { kstreamFilter } from '../processors/KStreamFilter.js';
import { passThrough } from '../processors/PassThrough.js';
import { NameProvider } from './NameProvider.js';

/** One node of the logical graph: it knows how to write itself into the physical topology. */
export interface GraphNode {
  readonly name: string;
  /** Names of the graph nodes this one reads from (Kafka's graph parents), for graph-wide rewrites. */
  readonly parents?: readonly string[];
  /** A join that keeps null-key records (Kafka's NULL_KEY_RELAXED_JOIN label: stream-table and stream-global left joins). */
  readonly nullKeyRelaxedJoin?: boolean;
  write(builder: InternalTopologyBuilder): void;
}

/** Materialized options resolved to a store name and whether a user named it. */
export interface MaterializedInternal<K, V> {
  storeName: string;
  queryable: boolean;
  keySerde: Serde<K> | null;
  valueSerde: Serde<V> | null;
  options: Materialized<K, V> | null;
}

const REPARTITION_SUFFIX = '-repartition';
const GENERATED_NAME = /^KSTREAM.*-[0-9]{10}$/;

/**
 * The DSL's side of a StreamsBuilder: the name generator and the logical
 * graph, kept in the order Kafka Streams builds its graph. Writing is
 * deferred to build(), because later DSL calls can still change earlier
 * nodes (a join materializes a source table, a groupBy asks for old values).
 */
export class InternalStreamsBuilder {
  readonly names = new NameProvider();
  private readonly graph: GraphNode[] = [];
  /** Nodes with a null-key relaxed join downstream; filled by writeTo(). */
  private relaxedUpstream = new Set<string>();

  addGraphNode(node: GraphNode): void {
    this.graph.push(node);
  }

  /** Writes every node, parents first, into the topology builder. */
  writeTo(builder: InternalTopologyBuilder): void {
    this.relaxedUpstream = this.nodesUpstreamOfRelaxedJoins();
    for (const node of this.graph) node.write(builder);
  }

  /**
   * Kafka's NodesWithRelaxedNullKeyJoinDownstream: every node from which a
   * left join that keeps null keys can be reached. Repartition steps above
   * such a join must let null keys through; all others drop them.
   */
  private nodesUpstreamOfRelaxedJoins(): Set<string> {
    const parentsOf = new Map<string, string[]>();
    for (const n of this.graph) {
      if (n.parents === undefined) continue;
      const list = parentsOf.get(n.name) ?? [];
      list.push(...n.parents);
      parentsOf.set(n.name, list);
    }
    const marked = new Set<string>();
    const todo = this.graph.filter((n) => n.nullKeyRelaxedJoin === true).map((n) => n.name);
    while (todo.length > 0) {
      const name = todo.pop() as string;
      for (const p of parentsOf.get(name) ?? []) {
        if (!marked.has(p)) {
          marked.add(p);
          todo.push(p);
        }
      }
    }
    return marked;
  }

  /** Resolves Materialized options to a store name, generating one with `prefix` when none was given. */
  materialize<K, V>(m: Materialized<K, V> | null | undefined, prefix: string): MaterializedInternal<K, V> {
    const named = m?.storeName ?? null;
    return {
      storeName: named ?? this.names.newStoreName(prefix),
      queryable: named !== null,
      keySerde: m?.keySerde ?? null,
      valueSerde: m?.valueSerde ?? null,
      options: m ?? null,
    };
  }

  /** The store builder for a DSL key-value store (timestamped values, caching and logging as the options say). */
  storeBuilder<K, V>(mat: MaterializedInternal<K, V>): StoreBuilder<StateStore> {
    const supplier = mat.options?.storeSupplier ?? DslStoreSuppliers.keyValue(mat.storeName, mat.options?.storeType ?? null);
    const b = Stores.timestampedKeyValueStoreBuilder(supplier, mat.keySerde, mat.valueSerde);
    const o = mat.options;
    if (o === null || o.cachingEnabled) b.withCachingEnabled();
    else b.withCachingDisabled();
    if (o !== null && !o.loggingEnabled) b.withLoggingDisabled();
    else b.withLoggingEnabled(o?.topicConfig ?? {});
    return b as unknown as StoreBuilder<StateStore>;
  }

  /**
   * Adds the nodes of a repartition step (filter -> sink -> topic -> source)
   * under `parentName`, named as Kafka names them, and returns the source name.
   * As in Kafka (InternalStreamsBuilder.rewriteRepartitionNodes), the filter
   * drops null-key records unless a left join downstream keeps them.
   */
  repartition(
    parentName: string,
    topicPrefix: string,
    keySerde: Serde<unknown> | null,
    valueSerde: Serde<unknown> | null,
    options: { partitioner?: StreamPartitioner<unknown, unknown> | null; numPartitions?: number | null; register?: boolean } = {},
  ): { sourceName: string; node: GraphNode } {
    const topic = topicPrefix.endsWith(REPARTITION_SUFFIX) ? topicPrefix : topicPrefix + REPARTITION_SUFFIX;
    // the generated names are always drawn, to keep the counter where Kafka has it
    const genSink = this.names.newProcessorName('KSTREAM-SINK-');
    const genFilter = this.names.newProcessorName('KSTREAM-FILTER-');
    const genSource = this.names.newProcessorName('KSTREAM-SOURCE-');
    const generated = GENERATED_NAME.test(topicPrefix);
    const sinkName = generated ? genSink : `${topic}-sink`;
    const filterName = generated ? genFilter : `${topic}-filter`;
    const sourceName = generated ? genSource : `${topic}-source`;
    const node: GraphNode = {
      name: sourceName,
      parents: [parentName],
      write: (b) => {
        b.addInternalTopic(topic, options.numPartitions ?? undefined);
        const filter = this.relaxedUpstream.has(sourceName)
          ? passThrough()
          : kstreamFilter<unknown, unknown>((k) => k !== null && k !== undefined, false);
        b.addProcessor(filterName, filter, [parentName]);
        b.addSink(sinkName, topic, [filterName], {
          keySerializer: keySerde?.serializer() ?? null,
          valueSerializer: valueSerde?.serializer() ?? null,
          partitioner: options.partitioner ?? null,
        });
        b.addSource(sourceName, [topic], {
          keyDeserializer: keySerde?.deserializer() ?? null,
          valueDeserializer: valueSerde?.deserializer() ?? null,
          timestampExtractor: new FailOnInvalidTimestamp(),
        });
      },
    };
    if (options.register !== false) this.addGraphNode(node);
    return { sourceName, node };
  }
}
