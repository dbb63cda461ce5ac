import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { WindowStore } from '../../state/WindowStore.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { SlidingWindows } from '../../windowing/SlidingWindows.js';
import { Window, type Windowed } from '../../windowing/Window.js';
import type { EmitStrategy } from '../EmitStrategy.js';
import type { Aggregator, Initializer } from '../functions.js';
import type { Change } from '../internals/Change.js';
import type { KTableProcessorSupplier, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';
import { type AggregationWindowStore, WindowedAggregateBase } from '../internals/WindowedAggregateBase.js';
import { windowedValueGetter } from './KStreamWindowAggregate.js';

type Store<K, VA> = WindowStore<K, ValueAndTimestamp<VA>>;

/**
 * Sliding-window aggregation (Kafka's KStreamSlidingWindowAggregate). Each
 * record has a left window [t - d, t] and, once a later record exists within
 * d, a right window [t + 1, t + 1 + d]; windows exist only where records are,
 * both ends inclusive. Records with t < d go into the [0, d] window.
 */
export class KStreamSlidingWindowAggregate<K, V, VA> implements KTableProcessorSupplier<K, V, Windowed<K>, VA> {
  sendOldValues = false;

  constructor(
    private readonly windows: SlidingWindows,
    private readonly storeName: string,
    private readonly emitStrategy: EmitStrategy,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
  ) {}

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }

  view(): KTableValueGetterSupplier<Windowed<K>, VA> {
    return windowedValueGetter<K, VA>(this.storeName);
  }

  get(): Processor<K, V, Windowed<K>, Change<VA>> {
    return new SlidingProcessor(this.windows, this.storeName, this.emitStrategy, this.sendOldValues, this.initializer, this.aggregator);
  }
}

class SlidingProcessor<K, V, VA> extends WindowedAggregateBase<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private store!: Store<K, VA>;
  private readonly diff: number;

  constructor(
    private readonly windows: SlidingWindows,
    private readonly storeName: string,
    emitStrategy: EmitStrategy,
    sendOldValues: boolean,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
  ) {
    super(emitStrategy, sendOldValues);
    this.diff = windows.timeDifferenceMs;
  }

  init(c: unknown): void {
    const ctx = c as InternalProcessorContext;
    this.store = ctx.getStateStore<Store<K, VA>>(this.storeName);
    this.initBase(ctx, this.store as unknown as AggregationWindowStore<K, VA>);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.ctx.recordDropped('null key or value');
      return;
    }
    this.updateObservedStreamTime(record.timestamp);
    const closeTime = this.observedStreamTime - this.windows.gracePeriodMs();
    if (record.timestamp + this.diff < closeTime) {
      this.ctx.recordDropped('expired window');
      return;
    }
    if (record.timestamp < this.diff) {
      this.processEarly(record, closeTime);
      return;
    }
    this.processReverse(record, closeTime);
    this.maybeForwardFinalResult(record, closeTime, this.store as unknown as AggregationWindowStore<K, VA>);
  }

  private processReverse(record: Record<K, V>, closeTime: number): void {
    const t = record.timestamp;
    const starts = new Set<number>();
    let leftWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;
    const it = this.store.backwardFetch(record.key, record.key, Math.max(0, t - 2 * this.diff), t + 1);
    try {
      for (const kv of it) {
        const start = kv.key.window.start;
        starts.add(start);
        const end = start + this.diff;
        const maxRecordTs = kv.value.timestamp;
        if (start === t + 1) {
          rightWinAlreadyCreated = true;
        } else if (end > t) {
          if (rightWinAgg === null) rightWinAgg = kv.value;
          this.updateWindowAndForward(new Window(start, end), kv.value, record, closeTime);
        } else if (end === t) {
          leftWinAlreadyCreated = true;
          this.updateWindowAndForward(new Window(start, end), kv.value, record, closeTime);
          if (maxRecordTs < t) {
            previousRecordTimestamp = maxRecordTs;
          } else {
            return;
          }
        } else {
          leftWinAgg = kv.value;
          previousRecordTimestamp = maxRecordTs;
          break;
        }
      }
    } finally {
      it.close();
    }
    this.createWindows(record, closeTime, starts, rightWinAgg, leftWinAgg, leftWinAlreadyCreated, rightWinAlreadyCreated, previousRecordTimestamp);
  }

  /** Records with 0 <= t < d: they share the [0, d] window, and their right windows are made as later records come. */
  private processEarly(record: Record<K, V>, closeTime: number): void {
    const t = record.timestamp;
    let combined: { key: Windowed<K>; value: ValueAndTimestamp<VA> } | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAlreadyCreated = false;
    const starts = new Set<number>();
    let previousRecordTimestamp: number | null = null;
    const it = this.store.fetch(record.key, record.key, 0, t + 1);
    try {
      for (const kv of it) {
        const start = kv.key.window.start;
        starts.add(start);
        const maxRecordTs = kv.value.timestamp;
        if (start === 0) {
          combined = kv;
          if (maxRecordTs < t) previousRecordTimestamp = maxRecordTs;
        } else if (start <= t) {
          rightWinAgg = kv.value;
          this.updateWindowAndForward(new Window(start, start + this.diff), kv.value, record, closeTime);
        } else if (start === t + 1) {
          rightWinAlreadyCreated = true;
        }
      }
    } finally {
      it.close();
    }
    if (rightWinAgg === null && combined !== null && combined.value.timestamp > t) rightWinAgg = combined.value;
    if (!rightWinAlreadyCreated && this.rightWindowIsNotEmpty(rightWinAgg, t)) {
      this.createCurrentRecordRightWindow(t, rightWinAgg as ValueAndTimestamp<VA>, record);
    }
    if (previousRecordTimestamp !== null && !starts.has(previousRecordTimestamp + 1)) {
      this.createPreviousRecordRightWindow(previousRecordTimestamp + 1, record, closeTime);
    }
    if (combined === null) {
      this.updateWindowAndForward(new Window(0, this.diff), ValueAndTimestamp.make(this.initializer(), t), record, closeTime);
    } else {
      this.updateWindowAndForward(new Window(0, this.diff), combined.value, record, closeTime);
    }
  }

  private createWindows(
    record: Record<K, V>,
    closeTime: number,
    starts: Set<number>,
    rightWinAgg: ValueAndTimestamp<VA> | null,
    leftWinAgg: ValueAndTimestamp<VA> | null,
    leftWinAlreadyCreated: boolean,
    rightWinAlreadyCreated: boolean,
    previousRecordTimestamp: number | null,
  ): void {
    const t = record.timestamp;
    if (previousRecordTimestamp !== null) {
      const previousRightStart = previousRecordTimestamp + 1;
      if (!starts.has(previousRightStart) && previousRightStart + this.diff >= t) {
        this.createPreviousRecordRightWindow(previousRightStart, record, closeTime);
      }
    }
    if (!leftWinAlreadyCreated) {
      const leftNotEmpty = previousRecordTimestamp !== null && t - this.diff <= previousRecordTimestamp;
      const vat = leftNotEmpty
        ? ValueAndTimestamp.make((leftWinAgg as ValueAndTimestamp<VA>).value, t)
        : ValueAndTimestamp.make(this.initializer(), t);
      this.updateWindowAndForward(new Window(t - this.diff, t), vat, record, closeTime);
    }
    if (!rightWinAlreadyCreated && this.rightWindowIsNotEmpty(rightWinAgg, t)) {
      this.createCurrentRecordRightWindow(t, rightWinAgg as ValueAndTimestamp<VA>, record);
    }
  }

  private rightWindowIsNotEmpty(rightWinAgg: ValueAndTimestamp<VA> | null, t: number): boolean {
    return rightWinAgg !== null && rightWinAgg.timestamp > t;
  }

  private createCurrentRecordRightWindow(t: number, rightWinAgg: ValueAndTimestamp<VA>, record: Record<K, V>): void {
    const window = new Window(t + 1, t + 1 + this.diff);
    this.store.put(record.key, rightWinAgg, window.start);
    this.maybeForwardUpdate(record, window, null, rightWinAgg.value, rightWinAgg.timestamp);
  }

  private createPreviousRecordRightWindow(start: number, record: Record<K, V>, closeTime: number): void {
    this.updateWindowAndForward(new Window(start, start + this.diff), ValueAndTimestamp.make(this.initializer(), record.timestamp), record, closeTime);
  }

  private updateWindowAndForward(window: Window, vat: ValueAndTimestamp<VA> | null, record: Record<K, V>, closeTime: number): void {
    if (window.end < closeTime) {
      this.ctx.recordDropped('expired window');
      return;
    }
    const oldAgg = ValueAndTimestamp.getValueOrNull(vat);
    const newAgg = this.aggregator(record.key, record.value, oldAgg as VA);
    const newTs = oldAgg === null ? record.timestamp : Math.max(record.timestamp, (vat as ValueAndTimestamp<VA>).timestamp);
    this.store.put(record.key, ValueAndTimestamp.make(newAgg, newTs), window.start);
    this.maybeForwardUpdate(record, window, oldAgg, newAgg, newTs);
  }

  protected emitRangeLowerBound(_close: number, lastEmit: number): number {
    return lastEmit === -1 ? 0 : Math.max(0, lastEmit - this.diff);
  }

  protected emitRangeUpperBound(close: number): number {
    return close - this.diff - 1;
  }

  protected shouldRangeFetch(): boolean {
    return true;
  }
}
