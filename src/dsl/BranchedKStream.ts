import type { Branched } from './Branched.js';
import type { Predicate } from './functions.js';
import type { KStream } from './KStream.js';

/** The result of `split()`: add branches, then end with a default branch or none (Kafka's `BranchedKStream`). */
export interface BranchedKStream<K, V> {
  /** Records matching the predicate (and no earlier one) go to this branch. */
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V>;
  /** Records matching no predicate go to the default branch; returns the branches by name. */
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>>;
  /** Records matching no predicate are dropped; returns the branches by name. */
  noDefaultBranch(): Map<string, KStream<K, V>>;
}
