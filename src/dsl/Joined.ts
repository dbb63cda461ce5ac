import type { Serde } from '../serdes/Serde.js';

/** Serdes and name of a stream-table join; the name also names its repartition topic (Kafka's `Joined`). */
export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly otherValueSerde: Serde<VO> | null,
    readonly name: string | null,
  ) {}

  static with<K, V, VO>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, otherValueSerde: Serde<VO> | null, name?: string): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, name ?? null);
  }
  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(null, null, null, name);
  }
  static keySerde<K, V, VO>(serde: Serde<K>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(serde, null, null, null);
  }
  static valueSerde<K, V, VO>(serde: Serde<V>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(null, serde, null, null);
  }
  static otherValueSerde<K, V, VO>(serde: Serde<VO>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(null, null, serde, null);
  }
  withKeySerde(serde: Serde<K>): Joined<K, V, VO> {
    return new Joined(serde, this.valueSerde, this.otherValueSerde, this.name);
  }
  withValueSerde(serde: Serde<V>): Joined<K, V, VO> {
    return new Joined(this.keySerde, serde, this.otherValueSerde, this.name);
  }
  withOtherValueSerde(serde: Serde<VO>): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, serde, this.name);
  }
  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name);
  }
}
