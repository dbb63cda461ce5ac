import type { StateStore } from '../state/StateStore.js';
import type { ProcessorNode } from './nodes/ProcessorNode.js';
import type { SourceNode } from './nodes/SourceNode.js';

/** The nodes and stores one task runs: freshly built for it, never shared. */
export class ProcessorTopology {
  constructor(
    /** Nodes in topology order (parents before children). */
    readonly nodes: readonly ProcessorNode[],
    /** Source node by (decorated) topic name. */
    readonly sourcesByTopic: ReadonlyMap<string, SourceNode>,
    /** Stores by name, in the order processors first use them. */
    readonly stores: ReadonlyMap<string, StateStore>,
    /** Changelog topic by store name, for logged stores. */
    readonly changelogTopics: ReadonlyMap<string, string>,
    /** Decorated names of repartition topics. */
    readonly repartitionTopics: ReadonlySet<string>,
  ) {}

  source(topic: string): SourceNode | undefined {
    return this.sourcesByTopic.get(topic);
  }
}
