import { StreamsError } from '../../errors.js';
import type { Processor } from '../../processor/Processor.js';
import { Record } from '../../processor/Record.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from '../internals/Change.js';
import type { KTableParent } from '../internals/KTableParent.js';
import type { BufferedUpdate, SuppressionBuffer } from '../internals/SuppressionBuffer.js';
import type { KTableProcessorSupplier, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';
import type { BufferConfig } from '../Suppressed.js';

/** Options of a suppression node, resolved from `Suppressed`. */
export interface SuppressOptions<K> {
  readonly storeName: string;
  /** Stream time an update waits after its buffer time: the grace (final results) or the time limit. */
  readonly suppressDurationMs: number;
  /** Buffer time of an update: its window end (final results) or its record timestamp. */
  readonly bufferTime: (key: K, recordTimestamp: number) => number;
  readonly bufferConfig: BufferConfig;
  /** Final results of windowed tables may drop tombstones. */
  readonly safeToDropTombstones: boolean;
}

/**
 * Holds back KTable updates (Kafka's KTableSuppressProcessor): each key's
 * latest update waits in a time-ordered buffer until stream time has moved
 * `suppressDurationMs` past its buffer time, or the buffer is over capacity.
 */
export class KTableSuppress<K, V> implements KTableProcessorSupplier<K, Change<V>, K, V> {
  constructor(
    private readonly parent: KTableParent<K, V>,
    private readonly o: SuppressOptions<K>,
  ) {
    // the buffer keeps the value from before the first buffered update, so it needs old values
    parent.enableSendingOldValues(true);
  }

  enableSendingOldValues(): boolean {
    return true;
  }

  view(): KTableValueGetterSupplier<K, V> {
    // suppression changes when updates are seen, not the table's values
    return this.parent.valueGetterSupplier();
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    const o = this.o;
    let ctx: InternalProcessorContext;
    let buffer: SuppressionBuffer<K, V>;
    let observedStreamTime = -1;
    const overCapacity = () => buffer.numRecords() > o.bufferConfig.maxRecords || buffer.bufferSize() > o.bufferConfig.maxBytes;
    const emit = (u: BufferedUpdate<K, V>) => {
      if (u.newValue === null && o.safeToDropTombstones) return;
      const prev = ctx.recordContext();
      ctx.setRecordContext(u.context);
      try {
        ctx.forward(new Record(u.key, new Change(u.newValue, u.oldValue), u.context.timestamp, u.context.headers));
      } finally {
        ctx.setRecordContext(prev);
      }
    };
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        buffer = ctx.getStateStore<SuppressionBuffer<K, V>>(o.storeName);
      },
      process: (r: Record<K, Change<V>>) => {
        observedStreamTime = Math.max(observedStreamTime, r.timestamp);
        buffer.put(o.bufferTime(r.key, r.timestamp), r.key, r.value, { ...ctx.recordContext(), timestamp: r.timestamp, headers: r.headers });
        const expiryTime = observedStreamTime - o.suppressDurationMs;
        buffer.evictWhile(() => buffer.minTimestamp() <= expiryTime, emit);
        if (!overCapacity()) return;
        if (o.bufferConfig.fullStrategy === 'EMIT') {
          buffer.evictWhile(overCapacity, emit);
          return;
        }
        throw new StreamsError(
          `${ctx.currentNode()?.name} buffer exceeded its max capacity. Currently [${buffer.numRecords()}/${o.bufferConfig.maxRecords}] records and [${buffer.bufferSize()}/${o.bufferConfig.maxBytes}] bytes.`,
        );
      },
    };
  }
}
