import { Record } from '../../processor/Record.js';
import type { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { Window } from '../../windowing/Window.js';
import { Windowed } from '../../windowing/Window.js';
import type { EmitStrategy } from '../EmitStrategy.js';
import { internalLongConfig } from '../processors/KStreamKStreamJoin.js';
import { Change } from './Change.js';
import { TimestampedTupleForwarder } from './TimestampedTupleForwarder.js';

/** Kafka's internal config that throttles "emit on window close" range scans (wall-clock ms). */
export const EMIT_INTERVAL_WINDOWED_AGGREGATION = '__emit.interval.ms.kstreams.windowed.aggregation__';

/** A fetchable window store as the aggregation processors see it. */
export interface AggregationWindowStore<K, VA> {
  fetchAll(timeFrom: number, timeTo: number): Iterable<{ key: Windowed<K>; value: ValueAndTimestamp<VA> }> & { close(): void };
}

/**
 * What time- and sliding-window aggregations share (Kafka's
 * AbstractKStreamTimeWindowAggregateProcessor): the processor's own observed
 * stream time, forwarding of updates, and "emit on window close" with its
 * wall-clock throttle and range scan.
 */
export abstract class WindowedAggregateBase<K, V, VA> {
  protected ctx!: InternalProcessorContext;
  protected observedStreamTime = -1;
  private forwarder!: TimestampedTupleForwarder<Windowed<K>, VA>;
  private lastEmitWindowCloseTime = -1;
  private nextTimeToEmit = 0;
  private emitInterval = 1000;

  constructor(
    protected readonly emitStrategy: EmitStrategy,
    protected readonly sendOldValues: boolean,
  ) {}

  protected initBase(ctx: InternalProcessorContext, store: AggregationWindowStore<K, VA> & object): void {
    this.ctx = ctx;
    if (this.emitStrategy.type === 'ON_WINDOW_CLOSE') {
      this.emitInterval = internalLongConfig(ctx.appConfigs(), EMIT_INTERVAL_WINDOWED_AGGREGATION, 1000);
      // no cache listener: final results are forwarded right away
      this.forwarder = new TimestampedTupleForwarder(null, ctx, this.sendOldValues);
    } else {
      this.forwarder = new TimestampedTupleForwarder(store as never, ctx, this.sendOldValues);
    }
  }

  protected updateObservedStreamTime(ts: number): void {
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
  }

  protected maybeForwardUpdate(record: Record<K, V>, window: Window, oldAgg: VA | null, newAgg: VA, ts: number): void {
    if (this.emitStrategy.type === 'ON_WINDOW_CLOSE') return;
    this.forwarder.maybeForward(
      record.withKey(new Windowed(record.key, window)).withValue(new Change<VA>(newAgg, this.sendOldValues ? oldAgg : null)).withTimestamp(ts),
    );
  }

  protected abstract emitRangeLowerBound(windowCloseTime: number, lastEmitWindowCloseTime: number): number;
  protected abstract emitRangeUpperBound(windowCloseTime: number): number;
  protected abstract shouldRangeFetch(lower: number, upper: number, lastEmitWindowCloseTime: number): boolean;

  protected maybeForwardFinalResult(record: Record<K, V>, windowCloseTime: number, store: AggregationWindowStore<K, VA>): void {
    if (!this.shouldEmitFinal(windowCloseTime)) return;
    const upper = this.emitRangeUpperBound(windowCloseTime);
    // below 0 no window has ever closed
    if (upper < 0) return;
    const lower = this.emitRangeLowerBound(windowCloseTime, this.lastEmitWindowCloseTime);
    if (!this.shouldRangeFetch(lower, upper, this.lastEmitWindowCloseTime)) return;
    const it = store.fetchAll(lower, upper);
    for (const kv of it) {
      this.forwarder.maybeForward(
        new Record(kv.key, new Change<VA>(kv.value.value, null), kv.value.timestamp, record.headers),
      );
    }
    it.close();
    this.lastEmitWindowCloseTime = windowCloseTime;
  }

  private shouldEmitFinal(windowCloseTime: number): boolean {
    if (this.emitStrategy.type !== 'ON_WINDOW_CLOSE') return false;
    const now = this.ctx.currentSystemTimeMs();
    if (now < this.nextTimeToEmit) return false;
    this.nextTimeToEmit = now + this.emitInterval;
    return this.lastEmitWindowCloseTime === -1 || this.lastEmitWindowCloseTime < windowCloseTime;
  }
}
