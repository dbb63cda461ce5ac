import { ConfigError, TopologyError } from '../errors.js';
import type { FixedKeyProcessor, Processor } from '../processor/Processor.js';
import type { Deserializer, Serde, Serializer } from '../serdes/Serde.js';
import type { StateStore } from '../state/StateStore.js';
import type { DslStoreType, StoreBuilder } from '../state/StoreBuilder.js';
import { FixedKeyProcessorAdapter } from './nodes/FixedKeyProcessorAdapter.js';
import { ProcessorNode } from './nodes/ProcessorNode.js';
import { SinkNode } from './nodes/SinkNode.js';
import { SourceNode } from './nodes/SourceNode.js';
import type { StreamPartitioner, TopicNameExtractor } from './InternalProcessorContext.js';
import type { TimestampExtractor } from './TimestampExtractor.js';
import { compareNodes, DescribedNode, type GlobalStoreDescription, type SubtopologyDescription, TopologyDescription } from './TopologyDescription.js';
import { javaHashSetCopyOrder, javaHashSetOrder } from './javaOrder.js';
import { ProcessorTopology } from './ProcessorTopology.js';

/** Where to start reading a source topic that has no committed offset. */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

interface SourceFactory {
  kind: 'source';
  name: string;
  topics: string[];
  keyDeserializer: SerdePart<Deserializer<unknown>>;
  valueDeserializer: SerdePart<Deserializer<unknown>>;
  timestampExtractor: TimestampExtractor | null;
  offsetReset: AutoOffsetReset | null;
}

interface ProcessorFactory {
  kind: 'processor';
  name: string;
  predecessors: string[];
  supplier: () => Processor<unknown, unknown, unknown, unknown> | FixedKeyProcessor<unknown, unknown, unknown>;
  fixedKey: boolean;
  stores: string[];
}

interface SinkFactory {
  kind: 'sink';
  name: string;
  predecessors: string[];
  topic: string | TopicNameExtractor<unknown, unknown>;
  keySerializer: SerdePart<Serializer<unknown>>;
  valueSerializer: SerdePart<Serializer<unknown>>;
  partitioner: StreamPartitioner<unknown, unknown> | null;
}

type NodeFactory = SourceFactory | ProcessorFactory | SinkFactory;

/** A repartition topic the application creates; its partition count is derived at startup unless given. */
export interface RepartitionTopicSpec {
  readonly name: string;
  readonly numPartitions?: number;
}

/** What the runtime needs to know about one sub-topology. */
export interface SubtopologyInfo {
  readonly id: number;
  readonly nodeNames: readonly string[];
  /** Source topics, internal ones decorated with the application id. */
  readonly sourceTopics: readonly string[];
  readonly sinkTopics: readonly string[];
  /** Repartition topics read by this sub-topology (decorated). */
  readonly repartitionSourceTopics: readonly string[];
  /** Changelog topics of this sub-topology's logged stores, by store name. */
  readonly changelogTopics: ReadonlyMap<string, string>;
}

/** Defaults a built topology falls back to when a node has no serde of its own. */
export interface BuildDefaults {
  keySerde: Serde<unknown>;
  valueSerde: Serde<unknown>;
  /** A cache size of 0 builds every store without its caching layer, as Kafka's rewriteTopology does. */
  cachingDisabled?: boolean;
  /** The bottom store of DSL stores that name none (Kafka's default.dsl.store). */
  dslStoreType?: DslStoreType;
}

/**
 * A serializer or deserializer that can only be made once the application's
 * default serdes are known (e.g. a wrapper around the default value serde).
 */
export interface LateBound<T> {
  readonly late: (defaults: BuildDefaults) => T;
}

type SerdePart<T> = T | LateBound<T> | null;

/** The node's own serializer/deserializer, or the default one; a missing default fails naming the node. */
function resolvePart<T>(part: SerdePart<T>, defaults: BuildDefaults, fallback: () => T, what: string): T {
  try {
    if (part === null) return fallback();
    if (typeof part === 'object' && 'late' in (part as object)) return (part as LateBound<T>).late(defaults);
    return part as T;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`Failed to initialize ${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Union-find over node names: nodes connected by edges or shared stores form one sub-topology. */
class NodeGrouper {
  private readonly parent = new Map<string, string>();
  add(n: string): void {
    this.parent.set(n, n);
  }
  root(n: string): string {
    let r = n;
    while (this.parent.get(r) !== r) r = this.parent.get(r) as string;
    this.parent.set(n, r);
    return r;
  }
  unite(a: string, others: readonly string[]): void {
    for (const b of others) this.parent.set(this.root(b), this.root(a));
  }
}

/**
 * The physical topology under construction: node factories, stores and
 * topics, in insertion order. `Topology` is its public face; the DSL compiler
 * writes into it. It never holds processor or store instances: `build()`
 * makes fresh ones for each task.
 */
export class InternalTopologyBuilder {
  private readonly factories = new Map<string, NodeFactory>();
  private readonly grouper = new NodeGrouper();
  private readonly storeBuilders = new Map<string, { builder: StoreBuilder<StateStore>; users: string[] }>();
  private readonly globalStoreBuilders = new Map<string, StoreBuilder<StateStore>>();
  private readonly topicToSource = new Map<string, string>();
  private readonly globalSources = new Set<string>();
  private readonly internalTopics = new Map<string, RepartitionTopicSpec>();
  private readonly copartitionGroups: string[][] = [];
  private applicationId: string | null = null;

  setApplicationId(id: string): this {
    this.applicationId = id;
    return this;
  }

  addSource(
    name: string,
    topics: readonly string[],
    options: {
      keyDeserializer?: SerdePart<Deserializer<unknown>>;
      valueDeserializer?: SerdePart<Deserializer<unknown>>;
      timestampExtractor?: TimestampExtractor | null;
      offsetReset?: AutoOffsetReset | null;
    } = {},
  ): void {
    this.checkNewName(name);
    if (topics.length === 0) {
      throw new TopologyError(`Invalid topology: source ${name} needs at least one topic. Pass topic names to addSource().`);
    }
    for (const t of topics) {
      const other = this.topicToSource.get(t);
      if (other !== undefined) {
        throw new TopologyError(
          `Invalid topology: Topic ${t} has already been registered by another source (${other}). Read a topic once and reuse the stream.`,
        );
      }
    }
    for (const t of topics) this.topicToSource.set(t, name);
    this.factories.set(name, {
      kind: 'source',
      name,
      topics: [...topics],
      keyDeserializer: options.keyDeserializer ?? null,
      valueDeserializer: options.valueDeserializer ?? null,
      timestampExtractor: options.timestampExtractor ?? null,
      offsetReset: options.offsetReset ?? null,
    });
    this.grouper.add(name);
  }

  /** The reset policy the source reading `topic` was given (Consumed.withOffsetResetPolicy), or null. */
  offsetResetOf(topic: string): AutoOffsetReset | null {
    const name = this.topicToSource.get(topic);
    const f = name === undefined ? undefined : this.factories.get(name);
    return f?.kind === 'source' ? f.offsetReset : null;
  }

  addProcessor(
    name: string,
    supplier: ProcessorFactory['supplier'],
    predecessors: readonly string[],
    fixedKey = false,
  ): void {
    this.checkNewName(name);
    this.checkPredecessors(name, predecessors, 'Processor');
    this.factories.set(name, { kind: 'processor', name, predecessors: [...predecessors], supplier, fixedKey, stores: [] });
    this.grouper.add(name);
    this.grouper.unite(name, predecessors);
  }

  addSink(
    name: string,
    topic: string | TopicNameExtractor<unknown, unknown>,
    predecessors: readonly string[],
    options: {
      keySerializer?: SerdePart<Serializer<unknown>>;
      valueSerializer?: SerdePart<Serializer<unknown>>;
      partitioner?: StreamPartitioner<unknown, unknown> | null;
    } = {},
  ): void {
    this.checkNewName(name);
    if (topic === null || topic === undefined || topic === '') {
      throw new TopologyError(`Invalid topology: sink ${name} has no topic. Give it a topic name or a TopicNameExtractor.`);
    }
    this.checkPredecessors(name, predecessors, 'Sink');
    this.factories.set(name, {
      kind: 'sink',
      name,
      predecessors: [...predecessors],
      topic,
      keySerializer: options.keySerializer ?? null,
      valueSerializer: options.valueSerializer ?? null,
      partitioner: options.partitioner ?? null,
    });
    this.grouper.add(name);
    this.grouper.unite(name, predecessors);
  }

  addStateStore(builder: StoreBuilder<StateStore>, processorNames: readonly string[] = [], allowReAdd = false): void {
    const existing = this.storeBuilders.get(builder.name);
    if (existing !== undefined && !(allowReAdd && existing.builder === builder)) {
      throw new TopologyError(
        `Invalid topology: A different StateStore has already been added with the name ${builder.name}. Store names must be unique; rename one of them.`,
      );
    }
    if (this.globalStoreBuilders.has(builder.name)) {
      throw new TopologyError(
        `Invalid topology: A different GlobalStateStore has already been added with the name ${builder.name}. Store names must be unique.`,
      );
    }
    if (existing === undefined) this.storeBuilders.set(builder.name, { builder, users: [] });
    for (const p of processorNames) this.connectProcessorAndStateStore(p, builder.name);
  }

  connectProcessorAndStateStores(processorName: string, storeNames: readonly string[]): void {
    if (storeNames.length === 0) throw new TopologyError('Invalid topology: Must provide at least one state store name.');
    for (const s of storeNames) this.connectProcessorAndStateStore(processorName, s);
  }

  addGlobalStore(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    topic: string,
    processorName: string,
    supplier: ProcessorFactory['supplier'],
    options: {
      keyDeserializer?: Deserializer<unknown> | null;
      valueDeserializer?: Deserializer<unknown> | null;
      timestampExtractor?: TimestampExtractor | null;
    } = {},
  ): void {
    if (this.storeBuilders.has(builder.name) || this.globalStoreBuilders.has(builder.name)) {
      throw new TopologyError(`Invalid topology: A different StateStore has already been added with the name ${builder.name}.`);
    }
    if (builder.loggingEnabled) {
      throw new TopologyError(
        `Invalid topology: StateStore ${builder.name} for global table must not have logging enabled. Call withLoggingDisabled() on its builder.`,
      );
    }
    if (sourceName === processorName) throw new TopologyError('Invalid topology: sourceName and processorName must be different.');
    this.addSource(sourceName, [topic], { ...options, offsetReset: 'earliest' });
    this.globalSources.add(sourceName);
    this.globalStoreBuilders.set(builder.name, builder);
    this.checkNewName(processorName);
    this.factories.set(processorName, {
      kind: 'processor',
      name: processorName,
      predecessors: [sourceName],
      supplier,
      fixedKey: false,
      stores: [builder.name],
    });
    this.grouper.add(processorName);
    this.grouper.unite(processorName, [sourceName]);
  }

  /** Registers an internal repartition topic (undecorated name). */
  addInternalTopic(name: string, numPartitions?: number): void {
    this.internalTopics.set(name, numPartitions === undefined ? { name } : { name, numPartitions });
  }

  /** Source nodes whose topics must have the same partition count (join inputs). */
  copartitionSourceNodes(nodeNames: readonly string[]): void {
    this.copartitionGroups.push([...nodeNames]);
  }

  hasNode(name: string): boolean {
    return this.factories.has(name);
  }

  hasStore(name: string): boolean {
    return this.storeBuilders.has(name) || this.globalStoreBuilders.has(name);
  }

  storeBuilder(name: string): StoreBuilder<StateStore> | undefined {
    return this.storeBuilders.get(name)?.builder ?? this.globalStoreBuilders.get(name);
  }

  /** Decorates an internal topic name with the application id. */
  decorateTopic(topic: string): string {
    if (!this.internalTopics.has(topic)) return topic;
    if (this.applicationId === null) return topic;
    return `${this.applicationId}-${topic}`;
  }

  changelogTopic(storeName: string): string {
    return `${this.applicationId ?? ''}-${storeName}-changelog`;
  }

  /** The sub-topologies as Kafka numbers them: node groups in order of first node. */
  nodeGroups(): Map<number, string[]> {
    const groups = new Map<number, string[]>();
    const byRoot = new Map<string, string[]>();
    let id = 0;
    for (const name of this.factories.keys()) {
      const root = this.grouper.root(name);
      let g = byRoot.get(root);
      if (g === undefined) {
        g = [];
        byRoot.set(root, g);
        groups.set(id++, g);
      }
      g.push(name);
    }
    return groups;
  }

  private isGlobalGroup(nodes: readonly string[]): boolean {
    return nodes.some((n) => this.globalSources.has(n));
  }

  /** Sub-topology facts for the runtime (ids, topics, changelogs); global groups excluded. */
  subtopologies(): SubtopologyInfo[] {
    const out: SubtopologyInfo[] = [];
    for (const [id, nodes] of this.nodeGroups()) {
      if (this.isGlobalGroup(nodes)) continue;
      const sourceTopics: string[] = [];
      const sinkTopics: string[] = [];
      const changelogs = new Map<string, string>();
      for (const n of nodes) {
        const f = this.factories.get(n) as NodeFactory;
        if (f.kind === 'source') sourceTopics.push(...f.topics.map((t) => this.decorateTopic(t)));
        if (f.kind === 'sink' && typeof f.topic === 'string') sinkTopics.push(this.decorateTopic(f.topic));
        if (f.kind === 'processor') {
          for (const s of f.stores) {
            const b = this.storeBuilders.get(s)?.builder;
            if (b?.loggingEnabled) changelogs.set(s, this.changelogTopic(s));
          }
        }
      }
      out.push({
        id,
        nodeNames: nodes,
        sourceTopics,
        sinkTopics,
        repartitionSourceTopics: sourceTopics.filter((t) => [...this.internalTopics.keys()].some((i) => this.decorateTopic(i) === t)),
        changelogTopics: changelogs,
      });
    }
    return out;
  }

  repartitionTopics(): RepartitionTopicSpec[] {
    return [...this.internalTopics.values()].map((t) => ({ ...t, name: this.decorateTopic(t.name) }));
  }

  /** Groups of (decorated) topics that must be co-partitioned. */
  copartitionGroupsDecorated(): string[][] {
    return this.copartitionGroups.map((g) =>
      g.flatMap((n) => {
        const f = this.factories.get(n);
        return f?.kind === 'source' ? f.topics.map((t) => this.decorateTopic(t)) : [];
      }),
    );
  }

  /** Source topics of the global stores (never repartitioned). */
  globalTopics(): string[] {
    return [...this.globalSources].flatMap((s) => (this.factories.get(s) as SourceFactory).topics);
  }

  /** Builds fresh nodes and stores for the non-global part; `nodeNames` limits it to one sub-topology. */
  build(defaults: BuildDefaults, nodeNames?: readonly string[]): ProcessorTopology {
    const globalNodes = new Set<string>();
    for (const nodes of this.nodeGroups().values()) if (this.isGlobalGroup(nodes)) for (const n of nodes) globalNodes.add(n);
    const wanted = nodeNames ? new Set(nodeNames) : null;
    return this.buildNodes(defaults, (n) => !globalNodes.has(n) && (wanted === null || wanted.has(n)), false);
  }

  /** Builds the global stores' source and processor nodes, or null when there are none. */
  buildGlobal(defaults: BuildDefaults): ProcessorTopology | null {
    if (this.globalSources.size === 0) return null;
    const globalNodes = new Set<string>();
    for (const nodes of this.nodeGroups().values()) if (this.isGlobalGroup(nodes)) for (const n of nodes) globalNodes.add(n);
    return this.buildNodes(defaults, (n) => globalNodes.has(n), true);
  }

  private buildNodes(defaults: BuildDefaults, include: (n: string) => boolean, global: boolean): ProcessorTopology {
    const nodes = new Map<string, ProcessorNode>();
    const sources = new Map<string, SourceNode>();
    const stores = new Map<string, StateStore>();
    const storeLogged = new Map<string, string>();
    for (const f of this.factories.values()) {
      if (!include(f.name)) continue;
      let node: ProcessorNode;
      if (f.kind === 'source') {
        const src = new SourceNode(
          f.name,
          f.topics.map((t) => this.decorateTopic(t)),
          resolvePart(f.keyDeserializer, defaults, () => defaults.keySerde.deserializer(), `key serdes for source node ${f.name}`),
          resolvePart(f.valueDeserializer, defaults, () => defaults.valueSerde.deserializer(), `value serdes for source node ${f.name}`),
          f.timestampExtractor,
        );
        for (const t of src.topics) sources.set(t, src);
        node = src;
      } else if (f.kind === 'processor') {
        const made = f.supplier();
        const processor = f.fixedKey
          ? new FixedKeyProcessorAdapter(made as FixedKeyProcessor<unknown, unknown, unknown>)
          : (made as Processor<unknown, unknown, unknown, unknown>);
        node = new ProcessorNode(f.name, processor, f.stores);
        for (const s of f.stores) {
          if (stores.has(s)) continue;
          const builder = global ? this.globalStoreBuilders.get(s) : this.storeBuilders.get(s)?.builder;
          if (builder === undefined) throw new TopologyError(`Invalid topology: StateStore ${s} is not added yet.`);
          builder.configure?.(defaults.dslStoreType ?? 'in_memory');
          stores.set(s, buildStore(builder, defaults.cachingDisabled === true));
          if (!global && builder.loggingEnabled) storeLogged.set(s, this.changelogTopic(s));
        }
      } else {
        const topic = typeof f.topic === 'string' ? this.decorateTopic(f.topic) : f.topic;
        node = new SinkNode(
          f.name,
          topic,
          resolvePart(f.keySerializer, defaults, () => defaults.keySerde.serializer(), `key serdes for sink node ${f.name}`),
          resolvePart(f.valueSerializer, defaults, () => defaults.valueSerde.serializer(), `value serdes for sink node ${f.name}`),
          f.partitioner,
        );
      }
      nodes.set(f.name, node);
      if (f.kind !== 'source') {
        for (const p of f.predecessors) nodes.get(p)?.addChild(node);
      }
    }
    const repartition = new Set([...this.internalTopics.keys()].map((t) => this.decorateTopic(t)));
    return new ProcessorTopology([...nodes.values()], sources, stores, storeLogged, repartition);
  }

  /**
   * Mirrors Kafka's describe()/describeSubtopology() step by step, because the
   * order of neighbours it prints is path-dependent: nodes are connected in
   * the iteration order of a HashMap keyed by name (filled from the group's
   * HashSet), each neighbour goes into a TreeSet keyed by sub-tree size at
   * that moment, and sizes keep growing afterwards without any re-sorting.
   */
  describe(): TopologyDescription {
    const subtopologies: SubtopologyDescription[] = [];
    const globals: GlobalStoreDescription[] = [];
    for (const [id, names] of this.nodeGroups()) {
      // makeNodeGroups adds to a HashSet in node order; nodesByName is a HashMap filled from it.
      const order = javaHashSetOrder(javaHashSetOrder(names));
      const described = new Map<string, DescribedNode>();
      for (const n of order) described.set(n, this.describeNode(this.factories.get(n) as NodeFactory));
      for (const node of described.values()) {
        const f = this.factories.get(node.name) as NodeFactory;
        if (f.kind === 'source') continue;
        for (const p of f.predecessors) {
          const pred = described.get(p) as DescribedNode;
          node.predecessorSet.add(pred);
          pred.successorSet.add(node);
          updateSize(pred, node.size);
        }
      }
      if (this.isGlobalGroup(names)) {
        const source = [...described.values()].find((d) => d.kind === 'source') as DescribedNode;
        const processor = [...described.values()].find((d) => d.kind === 'processor') as DescribedNode;
        globals.push({ id, source, processor });
      } else {
        // Kafka re-inserts the nodes into a fresh TreeSet once sizes are final: a plain sort.
        subtopologies.push({ id, nodes: [...described.values()].sort(compareNodes) });
      }
    }
    return new TopologyDescription(subtopologies, globals);
  }

  private describeNode(f: NodeFactory): DescribedNode {
    // Kafka prints `new HashSet<>(topics)` and `new HashSet<>(stateStoreNames)`, the latter itself a HashSet.
    if (f.kind === 'source') return new DescribedNode(f.name, 'source', javaHashSetCopyOrder(f.topics));
    if (f.kind === 'processor') {
      return new DescribedNode(f.name, 'processor', undefined, undefined, javaHashSetCopyOrder(javaHashSetOrder(f.stores)));
    }
    return new DescribedNode(f.name, 'sink', undefined, typeof f.topic === 'string' ? f.topic : undefined);
  }

  private connectProcessorAndStateStore(processorName: string, storeName: string): void {
    if (this.globalStoreBuilders.has(storeName)) {
      throw new TopologyError(
        `Invalid topology: Global StateStore ${storeName} can be used by a Processor without being specified; it should not be explicitly passed.`,
      );
    }
    const entry = this.storeBuilders.get(storeName);
    if (entry === undefined) {
      throw new TopologyError(`Invalid topology: StateStore ${storeName} is not added yet. Add it with addStateStore() first.`);
    }
    const f = this.factories.get(processorName);
    if (f === undefined) throw new TopologyError(`Invalid topology: Processor ${processorName} is not added yet.`);
    if (f.kind !== 'processor') {
      throw new TopologyError(`Invalid topology: cannot connect a state store ${storeName} to a source node or a sink node.`);
    }
    if (!f.stores.includes(storeName)) f.stores.push(storeName);
    if (entry.users.length > 0) this.grouper.unite(entry.users[0] as string, [processorName]);
    if (!entry.users.includes(processorName)) entry.users.push(processorName);
  }

  private checkNewName(name: string): void {
    if (!name) throw new TopologyError('Invalid topology: a node name must not be empty.');
    if (this.factories.has(name)) {
      throw new TopologyError(`Invalid topology: Processor ${name} is already added. Node names must be unique; rename one.`);
    }
  }

  private checkPredecessors(name: string, predecessors: readonly string[], what: 'Processor' | 'Sink'): void {
    if (predecessors.length === 0) {
      throw new TopologyError(`Invalid topology: ${what} ${name} must have at least one parent. Name its parent node(s).`);
    }
    for (const p of predecessors) {
      if (p === name) throw new TopologyError(`Invalid topology: Processor ${name} cannot be a predecessor of itself.`);
      const pf = this.factories.get(p);
      if (pf === undefined) {
        throw new TopologyError(
          `Invalid topology: Predecessor processor ${p} is not added yet for ${name}. Add ${p} before ${name}, or fix the parent name.`,
        );
      }
      if (pf.kind === 'sink') throw new TopologyError(`Invalid topology: Sink ${p} cannot be used a parent of ${name}.`);
    }
  }
}

/** Builds a store, without its cache if asked, leaving the shared builder as it was. */
function buildStore(builder: StoreBuilder<StateStore>, cachingDisabled: boolean): StateStore {
  if (!cachingDisabled || !builder.cachingEnabled) return builder.build();
  builder.withCachingDisabled();
  try {
    return builder.build();
  } finally {
    builder.withCachingEnabled();
  }
}

function updateSize(node: DescribedNode, delta: number): void {
  node.size += delta;
  for (const p of node.predecessorSet) updateSize(p, delta);
}
