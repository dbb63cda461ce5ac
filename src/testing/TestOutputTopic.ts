import type { Deserializer } from '../serdes/Serde.js';
import type { KeyValue } from '../state/KeyValueStore.js';
import type { ProducedRecord } from './CapturingCollector.js';
import { TestRecord } from './TestRecord.js';

/** What the output topic needs from the driver. */
export interface OutputSource {
  readRecord(topic: string): ProducedRecord | undefined;
  queueSize(topic: string): number;
}

/** Reads typed records the topology wrote to one topic (Kafka's `TestOutputTopic`). */
export class TestOutputTopic<K, V> {
  constructor(
    private readonly driver: OutputSource,
    readonly topic: string,
    private readonly keyDeserializer: Deserializer<K>,
    private readonly valueDeserializer: Deserializer<V>,
  ) {}

  /** Reads the next record; throws when the topic is empty. */
  readRecord(): TestRecord<K | null, V | null> {
    const r = this.driver.readRecord(this.topic);
    if (r === undefined) throw new RangeError(`Empty topic: ${this.topic}`);
    return new TestRecord(
      this.keyDeserializer.deserialize(r.topic, r.key, r.headers),
      this.valueDeserializer.deserialize(r.topic, r.value, r.headers),
      r.timestamp,
      r.headers,
    );
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readValuesToList(): (V | null)[] {
    const out: (V | null)[] = [];
    while (!this.isEmpty()) out.push(this.readValue());
    return out;
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    const out: KeyValue<K | null, V | null>[] = [];
    while (!this.isEmpty()) out.push(this.readKeyValue());
    return out;
  }

  readRecordsToList(): TestRecord<K | null, V | null>[] {
    const out: TestRecord<K | null, V | null>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  /** The last value per key, in order of first appearance; keys must not be null. */
  readKeyValuesToMap(): Map<K, V | null> {
    const out = new Map<K, V | null>();
    while (!this.isEmpty()) {
      const r = this.readRecord();
      if (r.key === null) throw new RangeError('Null keys not allowed with readKeyValuesToMap method');
      out.set(r.key, r.value);
    }
    return out;
  }

  getQueueSize(): number {
    return this.driver.queueSize(this.topic);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}
