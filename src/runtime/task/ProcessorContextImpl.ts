import { IllegalArgumentError, ProcessorStateError, StreamsError } from '../../errors.js';
import { Headers } from '../../processor/Headers.js';
import type { Cancellable, PunctuationType, Punctuator, RecordMetadata, TaskId } from '../../processor/Processor.js';
import { FixedKeyRecord, Record } from '../../processor/Record.js';
import type { RecordContext, StateStore } from '../../state/StateStore.js';
import type { InternalProcessorContext, RecordCollector } from '../../topology/InternalProcessorContext.js';
import type { ProcessorNode } from '../../topology/nodes/ProcessorNode.js';

/** What the context needs from its task. */
export interface TaskServices {
  readonly applicationId: string;
  readonly taskId: TaskId;
  readonly config: Readonly<globalThis.Record<string, unknown>>;
  readonly collector: RecordCollector;
  store(name: string): StateStore | undefined;
  globalStore(name: string): StateStore | undefined;
  streamTime(): number;
  wallClock(): number;
  schedule(node: ProcessorNode, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  requestCommit(): void;
  recordDropped(reason: string): void;
}

export const NO_RECORD_CONTEXT: RecordContext = { timestamp: -1, headers: Headers.EMPTY, topic: null, partition: -1, offset: -1 };

/**
 * The one processor context of a task. It tracks the node being run and the
 * current record context; `forward` calls the children synchronously.
 */
export class ProcessorContextImpl implements InternalProcessorContext {
  private node: ProcessorNode | null = null;
  private rc: RecordContext = NO_RECORD_CONTEXT;

  constructor(private readonly task: TaskServices) {}

  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): TaskId {
    return this.task.taskId;
  }
  get recordCollector(): RecordCollector {
    return this.task.collector;
  }
  appConfigs(): Readonly<globalThis.Record<string, unknown>> {
    return this.task.config;
  }

  currentNode(): ProcessorNode | null {
    return this.node;
  }
  setCurrentNode(node: ProcessorNode | null): void {
    this.node = node;
  }
  recordContext(): RecordContext {
    return this.rc;
  }
  setRecordContext(ctx: RecordContext): void {
    this.rc = ctx;
  }

  recordMetadata(): RecordMetadata | null {
    const rc = this.rc;
    return rc === NO_RECORD_CONTEXT ? null : { topic: rc.topic, partition: rc.partition, offset: rc.offset };
  }
  topic(): string | null {
    return this.rc.topic;
  }
  partition(): number {
    return this.rc.partition;
  }
  offset(): number {
    return this.rc.offset;
  }
  currentStreamTimeMs(): number {
    return this.task.streamTime();
  }
  currentSystemTimeMs(): number {
    return this.task.wallClock();
  }

  forward(record: Record<unknown, unknown> | FixedKeyRecord<unknown, unknown>, childName?: string): void {
    const node = this.node;
    if (node === null) throw new ProcessorStateError('forward() may only be called from within process(), a punctuation or init()');
    const rec =
      record instanceof FixedKeyRecord ? new Record(record.key, record.value, record.timestamp, record.headers) : record;
    const prev = this.rc;
    if (rec.timestamp !== prev.timestamp || rec.headers !== prev.headers) {
      this.rc = { timestamp: rec.timestamp, headers: rec.headers, topic: prev.topic, partition: prev.partition, offset: prev.offset };
    }
    try {
      if (childName === undefined) {
        const children = node.children;
        for (let i = 0; i < children.length; i++) {
          const child = children[i] as ProcessorNode;
          this.node = child;
          child.process(rec);
        }
      } else {
        const child = node.getChild(childName);
        if (child === undefined) {
          throw new StreamsError(`Unknown downstream node: ${childName}. Node ${node.name} has children: ${node.children.map((c) => c.name).join(', ') || 'none'}`);
        }
        this.node = child;
        child.process(rec);
      }
    } finally {
      this.node = node;
      this.rc = prev;
    }
  }

  getStateStore<S extends StateStore>(name: string): S {
    const node = this.node;
    if (node === null) throw new StreamsError('Accessing from an unknown node');
    const global = this.task.globalStore(name);
    if (global !== undefined) return global as S;
    if (!node.storeNames.includes(name)) {
      throw new StreamsError(
        `Processor ${node.name} has no access to StateStore ${name} as the store is not connected to the processor. ` +
          `Connect it by passing the store name to process()/processValues() or to addStateStore()/connectProcessorAndStateStores().`,
      );
    }
    const store = this.task.store(name);
    if (store === undefined) throw new StreamsError(`StateStore ${name} is not available in task ${this.task.taskId.toString()}`);
    return store as S;
  }

  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) throw new IllegalArgumentError('The minimum supported scheduling interval is 1 millisecond.');
    if (this.node === null) throw new ProcessorStateError('schedule() must be called from a processor (in init, process or a punctuation)');
    return this.task.schedule(this.node, intervalMs, type, callback);
  }

  commit(): void {
    this.task.requestCommit();
  }

  recordDropped(reason: string): void {
    this.task.recordDropped(reason);
  }
}
