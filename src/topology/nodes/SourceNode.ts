import type { Deserializer } from '../../serdes/Serde.js';
import type { Record } from '../../processor/Record.js';
import type { InternalProcessorContext } from '../InternalProcessorContext.js';
import type { TimestampExtractor } from '../TimestampExtractor.js';
import { ProcessorNode } from './ProcessorNode.js';

/** Entry point of a sub-topology: holds the deserializers of its topics and forwards what it gets. */
export class SourceNode extends ProcessorNode {
  constructor(
    name: string,
    readonly topics: readonly string[],
    readonly keyDeserializer: Deserializer<unknown>,
    readonly valueDeserializer: Deserializer<unknown>,
    readonly timestampExtractor: TimestampExtractor | null,
  ) {
    super(name, null, []);
  }

  override init(context: InternalProcessorContext): void {
    this.context = context;
  }

  override process(record: Record<unknown, unknown>): void {
    (this.context as InternalProcessorContext).forward(record);
  }
}
