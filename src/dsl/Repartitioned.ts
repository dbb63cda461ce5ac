import type { Serde } from '../serdes/Serde.js';
import type { StreamPartitioner } from '../topology/InternalProcessorContext.js';

/** Options of an explicit `repartition()` (Kafka's `Repartitioned`). */
export class Repartitioned<K, V> {
  private constructor(
    readonly name: string | null,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly numberOfPartitions: number | null,
    readonly partitioner: StreamPartitioner<K, V> | null,
  ) {}

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(name, null, null, null, null);
  }
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Repartitioned<K, V> {
    return new Repartitioned(null, keySerde, valueSerde, null, null);
  }
  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(null, null, null, n, null);
  }
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>(null, null, null, null, partitioner);
  }
  /** @internal */
  static empty<K, V>(): Repartitioned<K, V> {
    return new Repartitioned<K, V>(null, null, null, null, null);
  }
  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(name, this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }
  withKeySerde(serde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned(this.name, serde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }
  withValueSerde(serde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, serde, this.numberOfPartitions, this.partitioner);
  }
  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, n, this.partitioner);
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner);
  }
}
