import type { KStream } from './KStream.js';
import { validateName } from './Named.js';

/** Name and handling of one `split()` branch (Kafka's `Branched`). */
export class Branched<K, V> {
  private constructor(
    readonly name: string | null,
    readonly chainFunction: ((stream: KStream<K, V>) => KStream<K, V> | null | undefined) | null,
    readonly chainConsumer: ((stream: KStream<K, V>) => void) | null,
  ) {}

  /** Names the branch: its key in the result map is the split name plus this name. */
  static as<K, V>(name: string): Branched<K, V> {
    validateName(name);
    return new Branched<K, V>(name, null, null);
  }
  /** Transforms the branch; the result goes in the result map. */
  static withFunction<K, V>(fn: (stream: KStream<K, V>) => KStream<K, V> | null | undefined, name?: string): Branched<K, V> {
    return new Branched<K, V>(name ?? null, fn, null);
  }
  /** Consumes the branch; it is left out of the result map. */
  static withConsumer<K, V>(fn: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name ?? null, null, fn);
  }
}
