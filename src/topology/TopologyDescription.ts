/**
 * A printable description of a topology, laid out exactly as Kafka Streams'
 * `TopologyDescription.toString()` so the two can be compared line by line.
 */
import { JavaTreeSet } from './javaOrder.js';

/** One node of a described sub-topology. */
export interface NodeDescription {
  readonly name: string;
  readonly kind: 'source' | 'processor' | 'sink';
  readonly predecessors: readonly NodeDescription[];
  readonly successors: readonly NodeDescription[];
  /** Source: its topics. */
  readonly topics?: readonly string[];
  /** Sink: its topic, or undefined when a TopicNameExtractor picks it. */
  readonly topic?: string;
  /** Processor: names of its connected stores. */
  readonly stores?: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

export interface GlobalStoreDescription {
  readonly id: number;
  readonly source: NodeDescription;
  readonly processor: NodeDescription;
}

/**
 * Mutable node used while describing. Its neighbours live in Java-style
 * TreeSets ordered by `compareNodes` as it stood when each was inserted
 * (see InternalTopologyBuilder.describe), which is the order Kafka prints.
 */
export class DescribedNode implements NodeDescription {
  readonly predecessorSet = new JavaTreeSet<DescribedNode>(compareNodes);
  readonly successorSet = new JavaTreeSet<DescribedNode>(compareNodes);
  /** Size of the sub-tree rooted here, as Kafka counts it (shared descendants count once per path). */
  size = 1;
  constructor(
    readonly name: string,
    readonly kind: 'source' | 'processor' | 'sink',
    readonly topics?: readonly string[],
    readonly topic?: string,
    readonly stores?: readonly string[],
  ) {}

  get predecessors(): DescribedNode[] {
    return [...this.predecessorSet];
  }

  get successors(): DescribedNode[] {
    return [...this.successorSet];
  }

  toString(): string {
    switch (this.kind) {
      case 'source':
        return `Source: ${this.name} (topics: [${(this.topics ?? []).join(', ')}])\n      --> ${nodeNames(this.successors)}`;
      case 'processor':
        return (
          `Processor: ${this.name} (stores: [${(this.stores ?? []).join(', ')}])\n      --> ${nodeNames(this.successors)}` +
          `\n      <-- ${nodeNames(this.predecessors)}`
        );
      case 'sink':
        return this.topic !== undefined
          ? `Sink: ${this.name} (topic: ${this.topic})\n      <-- ${nodeNames(this.predecessors)}`
          : `Sink: ${this.name} (extractor class: TopicNameExtractor)\n      <-- ${nodeNames(this.predecessors)}`;
    }
  }
}

/** Kafka's NodeComparator: bigger sub-tree first, then name; 0 only for the node itself. */
export function compareNodes(a: DescribedNode, b: DescribedNode): number {
  if (a === b) return 0;
  if (a.size !== b.size) return b.size - a.size;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function nodeNames(nodes: readonly DescribedNode[]): string {
  return nodes.length === 0 ? 'none' : nodes.map((n) => n.name).join(', ');
}

/** The whole description; `toString()` prints Kafka's layout. */
export class TopologyDescription {
  constructor(
    readonly subtopologies: readonly SubtopologyDescription[],
    readonly globalStores: readonly GlobalStoreDescription[],
  ) {}

  toString(): string {
    let sb = 'Topologies:\n ';
    const items: { id: number; text: string }[] = [
      ...this.subtopologies.map((s) => ({ id: s.id, text: subtopologyString(s) })),
      ...this.globalStores.map((g) => ({ id: g.id, text: globalStoreString(g) })),
    ].sort((a, b) => a.id - b.id);
    for (const item of items) sb += `  ${item.text}`;
    return sb;
  }
}

function subtopologyString(s: SubtopologyDescription): string {
  let out = `Sub-topology: ${s.id}\n`;
  for (const n of s.nodes) out += `    ${n.toString()}\n`;
  return `${out}\n`;
}

function globalStoreString(g: GlobalStoreDescription): string {
  return (
    `Sub-topology: ${g.id} for global store (will not generate tasks)\n` +
    `    ${g.source.toString()}\n` +
    `    ${g.processor.toString()}\n`
  );
}
