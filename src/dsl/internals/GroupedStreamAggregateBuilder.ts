import type { Processor } from '../../processor/Processor.js';
import type { Serde } from '../../serdes/Serde.js';
import type { StateStore } from '../../state/StateStore.js';
import type { StoreBuilder } from '../../state/StoreBuilder.js';
import type { StreamState } from '../KStreamImpl.js';
import { KTableImpl } from '../KTableImpl.js';
import type { KTableProcessorSupplier } from './KTableValueGetter.js';

/** What an aggregation of a grouped stream needs to know about the grouping. */
export interface Grouping<K, V> {
  readonly stream: StreamState<K, V>;
  readonly keySerde: Serde<K> | null;
  readonly valueSerde: Serde<V> | null;
  /** User name of the grouping (names the repartition topic), or null. */
  readonly repartitionName: string | null;
  readonly repartitionRequired: boolean;
}

/**
 * Adds an aggregation of a grouped stream to the graph (Kafka's
 * GroupedStreamAggregateBuilder): the repartition step when the key changed
 * (shared by all aggregations of a grouping the user named), then the
 * aggregating node with its store. Used for plain and windowed aggregations.
 */
export class GroupedStreamAggregateBuilder<K, V> {
  private sharedRepartitionSource: string | null = null;

  constructor(private readonly g: Grouping<K, V>) {}

  build<KOut, VA>(
    name: string,
    supplier: KTableProcessorSupplier<K, V, KOut, VA>,
    storeName: string,
    storeBuilder: () => StoreBuilder<StateStore>,
    table: { keySerde: Serde<KOut> | null; valueSerde: Serde<VA> | null; queryableStoreName: string | null; windowGraceMs?: number },
  ): KTableImpl<KOut, VA> {
    const builder = this.g.stream.builder;
    let parent = this.g.stream.name;
    let sourceNodes = this.g.stream.sourceNodes;
    if (this.g.repartitionRequired) {
      const prefix = this.g.repartitionName ?? storeName;
      const reuse = this.g.repartitionName !== null && this.sharedRepartitionSource !== null;
      const r = builder.repartition(parent, prefix, this.g.keySerde as Serde<unknown>, this.g.valueSerde as Serde<unknown>, { register: !reuse });
      if (this.g.repartitionName !== null) this.sharedRepartitionSource ??= r.sourceName;
      parent = reuse ? (this.sharedRepartitionSource as string) : r.sourceName;
      sourceNodes = [parent];
    }
    const from = parent;
    builder.addGraphNode({
      name,
      parents: [from],
      write: (b) => {
        b.addProcessor(name, () => supplier.get() as Processor<unknown, unknown, unknown, unknown>, [from]);
        b.addStateStore(storeBuilder(), [name]);
      },
    });
    return new KTableImpl<KOut, VA>({
      builder,
      name,
      keySerde: table.keySerde,
      valueSerde: table.valueSerde,
      sourceNodes,
      queryableStoreName: table.queryableStoreName,
      supplier: supplier as never,
      ...(table.windowGraceMs === undefined ? {} : { windowGraceMs: table.windowGraceMs }),
    });
  }
}
