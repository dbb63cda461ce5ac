import type { Serde } from '../serdes/Serde.js';
import type { AutoOffsetReset } from '../topology/InternalTopologyBuilder.js';
import type { TimestampExtractor } from '../topology/TimestampExtractor.js';

/** How a source topic is read: serdes, timestamp extractor, reset policy, node name (Kafka's `Consumed`). */
export class Consumed<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly timestampExtractor: TimestampExtractor | null,
    readonly offsetReset: AutoOffsetReset | null,
    readonly name: string | null,
  ) {}

  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde, null, null, null);
  }
  static as<K, V>(name: string): Consumed<K, V> {
    return new Consumed<K, V>(null, null, null, null, name);
  }
  static withTimestampExtractor<K, V>(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>(null, null, extractor, null, null);
  }
  static withOffsetResetPolicy<K, V>(reset: AutoOffsetReset): Consumed<K, V> {
    return new Consumed<K, V>(null, null, null, reset, null);
  }
  /** @internal */
  static empty<K, V>(): Consumed<K, V> {
    return new Consumed<K, V>(null, null, null, null, null);
  }

  withKeySerde<NK>(serde: Serde<NK>): Consumed<NK, V> {
    return new Consumed(serde, this.valueSerde, this.timestampExtractor, this.offsetReset, this.name);
  }
  withValueSerde<NV>(serde: Serde<NV>): Consumed<K, NV> {
    return new Consumed(this.keySerde, serde, this.timestampExtractor, this.offsetReset, this.name);
  }
  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.offsetReset, this.name);
  }
  withOffsetResetPolicy(reset: AutoOffsetReset): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, reset, this.name);
  }
  withName(name: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, this.offsetReset, name);
  }
}
