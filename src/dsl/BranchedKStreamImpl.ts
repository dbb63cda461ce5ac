import { requireNonNull } from '../errors.js';
import type { Processor } from '../processor/Processor.js';
import { Branched } from './Branched.js';
import type { BranchedKStream } from './BranchedKStream.js';
import type { Predicate } from './functions.js';
import type { KStream } from './KStream.js';
import { addProcessorNode, KStreamImpl, type StreamState } from './KStreamImpl.js';
import type { Named } from './Named.js';
import { kstreamBranch } from './processors/KStreamBranch.js';
import { passThrough } from './processors/PassThrough.js';

/** The split() builder: one branch processor, one pass-through child per branch, named as Kafka names them. */
export class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  private readonly splitterName: string;
  private readonly predicates: Predicate<K, V>[] = [];
  private readonly childNames: string[] = [];
  private readonly outputs = new Map<string, KStream<K, V>>();

  constructor(
    private readonly source: StreamState<K, V>,
    named?: Named,
  ) {
    this.splitterName = source.builder.names.orElseGenerate(named?.name, 'KSTREAM-BRANCH-');
    addProcessorNode(
      source.builder,
      this.splitterName,
      source.name,
      kstreamBranch(this.predicates, this.childNames) as () => Processor<unknown, unknown, unknown, unknown>,
    );
  }

  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V> {
    requireNonNull(predicate, 'predicate');
    this.predicates.push(predicate);
    this.createBranch(branched, this.predicates.length);
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.createBranch(branched, 0);
    return this.outputs;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.outputs;
  }

  private createBranch(branched: Branched<K, V> | undefined, index: number): void {
    const b = branched ?? Branched.withFunction<K, V>((s) => s);
    const childName = this.splitterName + (b.name ?? String(index));
    this.childNames.push(childName);
    // Kafka draws (and drops) a generated name here; the counter must follow
    this.source.builder.names.newProcessorName(childName);
    addProcessorNode(this.source.builder, childName, this.splitterName, passThrough() as () => Processor<unknown, unknown, unknown, unknown>);
    const stream = new KStreamImpl<K, V>({ ...this.source, name: childName });
    // as Kafka's BranchedKStreamImpl.process: a function's result (unless null)
    // or, with neither function nor consumer (Branched.as), the branch itself
    if (b.chainFunction) {
      const out = b.chainFunction(stream);
      if (out !== null && out !== undefined) this.outputs.set(childName, out);
    } else if (b.chainConsumer) {
      b.chainConsumer(stream);
    } else {
      this.outputs.set(childName, stream);
    }
  }
}
