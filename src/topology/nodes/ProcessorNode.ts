import { ProcessingError, ProcessorStateError, StreamsError } from '../../errors.js';
import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import type { InternalProcessorContext } from '../InternalProcessorContext.js';

/**
 * An executable node of one task's processor graph. Each task builds its own
 * nodes (and so its own processor instances) from the Topology's factories.
 */
export class ProcessorNode {
  readonly children: ProcessorNode[] = [];
  private readonly childByName = new Map<string, ProcessorNode>();
  protected context: InternalProcessorContext | null = null;

  constructor(
    readonly name: string,
    protected readonly processor: Processor<unknown, unknown, unknown, unknown> | null,
    readonly storeNames: readonly string[],
  ) {}

  addChild(child: ProcessorNode): void {
    this.children.push(child);
    this.childByName.set(child.name, child);
  }

  getChild(name: string): ProcessorNode | undefined {
    return this.childByName.get(name);
  }

  init(context: InternalProcessorContext): void {
    this.context = context;
    this.processor?.init?.(context);
  }

  process(record: Record<unknown, unknown>): void {
    if (this.processor === null) throw new ProcessorStateError(`Node ${this.name} has no processor`);
    try {
      this.processor.process(record);
    } catch (e) {
      throw wrapUserError(e, this.name);
    }
  }

  close(): void {
    this.processor?.close?.();
  }
}

/** Keeps kstreams' own errors as they are; wraps a user function's error with the node it came from. */
export function wrapUserError(e: unknown, nodeName: string): Error {
  if (e instanceof StreamsError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ProcessingError(`Exception caught in processor ${nodeName}: ${msg}`, { cause: e });
}
