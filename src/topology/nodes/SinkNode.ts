import { SerializationError } from '../../errors.js';
import type { Record } from '../../processor/Record.js';
import type { Serializer } from '../../serdes/Serde.js';
import type { InternalProcessorContext, StreamPartitioner, TopicNameExtractor } from '../InternalProcessorContext.js';
import { ProcessorNode } from './ProcessorNode.js';

/** Exit of a sub-topology: serializes each record and hands it to the task's record collector. */
export class SinkNode extends ProcessorNode {
  constructor(
    name: string,
    private readonly topic: string | TopicNameExtractor<unknown, unknown>,
    private readonly keySerializer: Serializer<unknown>,
    private readonly valueSerializer: Serializer<unknown>,
    private readonly partitioner: StreamPartitioner<unknown, unknown> | null,
  ) {
    super(name, null, []);
  }

  override init(context: InternalProcessorContext): void {
    this.context = context;
  }

  override process(record: Record<unknown, unknown>): void {
    const ctx = this.context as InternalProcessorContext;
    const topic =
      typeof this.topic === 'string'
        ? this.topic
        : this.topic(record.key, record.value, { ...ctx.recordContext(), timestamp: record.timestamp, headers: record.headers });
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = this.keySerializer.serialize(topic, record.key, record.headers);
      value = this.valueSerializer.serialize(topic, record.value, record.headers);
    } catch (e) {
      throw new SerializationError(
        `Sink ${this.name} could not serialize a record for topic ${topic} ` +
          `(key type: ${typeOf(record.key)}, value type: ${typeOf(record.value)}): ${(e as Error).message}. ` +
          'A serializer does not match the actual key or value type: provide matching serdes with Produced.with(keySerde, valueSerde), ' +
          'or change defaultKeySerde/defaultValueSerde in the config.',
        { cause: e },
      );
    }
    const partition =
      this.partitioner === null
        ? undefined
        : this.partitioner(topic, record.key, record.value, ctx.recordCollector.partitionsFor(topic));
    ctx.recordCollector.send(topic, key, value, record.headers, record.timestamp, partition);
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return 'Buffer';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
