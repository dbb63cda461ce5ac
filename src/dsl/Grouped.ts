import type { Serde } from '../serdes/Serde.js';

/** Serdes and name of a grouping; the name also names its repartition topic (Kafka's `Grouped`). */
export class Grouped<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly name: string | null,
  ) {}

  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, name?: string): Grouped<K, V> {
    return new Grouped(keySerde, valueSerde, name ?? null);
  }
  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(null, null, name);
  }
  static keySerde<K, V>(serde: Serde<K>): Grouped<K, V> {
    return new Grouped<K, V>(serde, null, null);
  }
  static valueSerde<K, V>(serde: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>(null, serde, null);
  }
  withKeySerde<NK>(serde: Serde<NK>): Grouped<NK, V> {
    return new Grouped(serde, this.valueSerde, this.name);
  }
  withValueSerde<NV>(serde: Serde<NV>): Grouped<K, NV> {
    return new Grouped(this.keySerde, serde, this.name);
  }
  withName(name: string): Grouped<K, V> {
    return new Grouped(this.keySerde, this.valueSerde, name);
  }
}
