import type { Serde } from '../serdes/Serde.js';
import type { StreamPartitioner } from '../topology/InternalProcessorContext.js';

/** How records are written to a topic: serdes, partitioner, node name (Kafka's `Produced`). */
export class Produced<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly partitioner: StreamPartitioner<K, V> | null,
    readonly name: string | null,
  ) {}

  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, partitioner ?? null, null);
  }
  static as<K, V>(name: string): Produced<K, V> {
    return new Produced<K, V>(null, null, null, name);
  }
  static keySerde<K, V>(serde: Serde<K>): Produced<K, V> {
    return new Produced<K, V>(serde, null, null, null);
  }
  static valueSerde<K, V>(serde: Serde<V>): Produced<K, V> {
    return new Produced<K, V>(null, serde, null, null);
  }
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>(null, null, partitioner, null);
  }
  /** @internal */
  static empty<K, V>(): Produced<K, V> {
    return new Produced<K, V>(null, null, null, null);
  }

  withKeySerde(serde: Serde<K>): Produced<K, V> {
    return new Produced(serde, this.valueSerde, this.partitioner, this.name);
  }
  withValueSerde(serde: Serde<V>): Produced<K, V> {
    return new Produced(this.keySerde, serde, this.partitioner, this.name);
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name);
  }
  withName(name: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, name);
  }
}
