import type { Deserializer } from '../../serdes/Serde.js';
import type { Record } from '../../processor/Record.js';
import type { InternalProcessorContext } from '../InternalProcessorContext.js';
import type { TimestampExtractor } from '../TimestampExtractor.js';
import { ProcessorNode } from './ProcessorNode.js';

/** Entry point of a sub-topology: holds the deserializers of its topics and forwards what it gets. */
export class SourceNode extends ProcessorNode {
  keyDeserializer: Deserializer<unknown>;
  valueDeserializer: Deserializer<unknown>;

  constructor(
    name: string,
    readonly topics: readonly string[],
    keyDeserializer: Deserializer<unknown> | null,
    valueDeserializer: Deserializer<unknown> | null,
    readonly timestampExtractor: TimestampExtractor | null,
    private readonly defaults: { key: Deserializer<unknown>; value: Deserializer<unknown> },
  ) {
    super(name, null, []);
    this.keyDeserializer = keyDeserializer ?? defaults.key;
    this.valueDeserializer = valueDeserializer ?? defaults.value;
  }

  override init(context: InternalProcessorContext): void {
    this.context = context;
  }

  override process(record: Record<unknown, unknown>): void {
    (this.context as InternalProcessorContext).forward(record);
  }
}
