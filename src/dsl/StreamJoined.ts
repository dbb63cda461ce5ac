import type { Serde } from '../serdes/Serde.js';

/** Serdes, names and store options of a stream-stream join (Kafka's `StreamJoined`). */
export class StreamJoined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly otherValueSerde: Serde<VO> | null,
    readonly name: string | null,
    readonly storeName: string | null,
    readonly loggingEnabled: boolean,
  ) {}

  static with<K, V, VO>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, otherValueSerde: Serde<VO> | null): StreamJoined<K, V, VO> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde, null, null, true);
  }
  /** Names the join's processors (and its repartition topics). */
  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>(null, null, null, null, storeName, true);
  }
  withName(name: string): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, name, this.storeName, this.loggingEnabled);
  }
  /** Base name of the join's window stores. */
  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, storeName, this.loggingEnabled);
  }
  withKeySerde(serde: Serde<K>): StreamJoined<K, V, VO> {
    return new StreamJoined(serde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, this.loggingEnabled);
  }
  withValueSerde(serde: Serde<V>): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, serde, this.otherValueSerde, this.name, this.storeName, this.loggingEnabled);
  }
  withOtherValueSerde(serde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, serde, this.name, this.storeName, this.loggingEnabled);
  }
  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, false);
  }
  withLoggingEnabled(): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, true);
  }
}
