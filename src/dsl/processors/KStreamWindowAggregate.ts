import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { WindowStore } from '../../state/WindowStore.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import type { TimeWindows } from '../../windowing/TimeWindows.js';
import type { Windowed } from '../../windowing/Window.js';
import type { EmitStrategy } from '../EmitStrategy.js';
import type { Aggregator, Initializer } from '../functions.js';
import type { Change } from '../internals/Change.js';
import type { KTableProcessorSupplier, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';
import { type AggregationWindowStore, WindowedAggregateBase } from '../internals/WindowedAggregateBase.js';

type Store<K, VA> = WindowStore<K, ValueAndTimestamp<VA>>;

/**
 * Aggregates records into tumbling or hopping windows (count, reduce and
 * aggregate on a TimeWindowedKStream). A record updates every window it falls
 * in that has not closed (window end > observed stream time - grace); records
 * for closed windows are dropped and counted.
 */
export class KStreamWindowAggregate<K, V, VA> implements KTableProcessorSupplier<K, V, Windowed<K>, VA> {
  sendOldValues = false;

  constructor(
    private readonly windows: TimeWindows,
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
    return new WindowAggregateProcessor(this.windows, this.storeName, this.emitStrategy, this.sendOldValues, this.initializer, this.aggregator);
  }
}

class WindowAggregateProcessor<K, V, VA> extends WindowedAggregateBase<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private store!: Store<K, VA>;

  constructor(
    private readonly windows: TimeWindows,
    private readonly storeName: string,
    emitStrategy: EmitStrategy,
    sendOldValues: boolean,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
  ) {
    super(emitStrategy, sendOldValues);
  }

  init(c: unknown): void {
    const ctx = c as InternalProcessorContext;
    this.store = ctx.getStateStore<Store<K, VA>>(this.storeName);
    this.initBase(ctx, this.store as unknown as AggregationWindowStore<K, VA>);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined) {
      this.ctx.recordDropped('null key');
      return;
    }
    const ts = record.timestamp;
    this.updateObservedStreamTime(ts);
    const closeTime = this.observedStreamTime - this.windows.gracePeriodMs();
    for (const window of this.windows.windowsFor(ts)) {
      if (window.end > closeTime) {
        const old = this.store.fetch(record.key, window.start);
        let oldAgg = ValueAndTimestamp.getValueOrNull(old);
        let newTs = ts;
        if (oldAgg === null) oldAgg = this.initializer();
        else newTs = Math.max(ts, (old as ValueAndTimestamp<VA>).timestamp);
        const newAgg = this.aggregator(record.key, record.value, oldAgg);
        this.store.put(record.key, ValueAndTimestamp.make(newAgg, newTs), window.start);
        this.maybeForwardUpdate(record, window, oldAgg, newAgg, newTs);
      } else {
        this.ctx.recordDropped('expired window');
      }
    }
    this.maybeForwardFinalResult(record, closeTime, this.store as unknown as AggregationWindowStore<K, VA>);
  }

  protected emitRangeLowerBound(_close: number, lastEmit: number): number {
    // window ends are exclusive, so the first not yet emitted window starts one past the last bound
    return lastEmit === -1 ? 0 : Math.max(0, lastEmit - this.windows.size()) + 1;
  }

  protected emitRangeUpperBound(close: number): number {
    return close - this.windows.size();
  }

  protected shouldRangeFetch(lower: number, upper: number, lastEmit: number): boolean {
    if (lastEmit === -1) return true;
    // nothing new to emit unless the closing bound reaches another window
    const closing = this.windows.windowsFor(upper).map((w) => w.start);
    const emitted = this.windows.windowsFor(lower - 1).map((w) => w.start);
    return closing.length !== emitted.length || closing.some((s, i) => s !== emitted[i]);
  }
}

/** Reads one window's value from a timestamped window store (the view of a windowed KTable). */
export function windowedValueGetter<K, VA>(storeName: string): KTableValueGetterSupplier<Windowed<K>, VA> {
  return {
    get: () => {
      let store: Store<K, VA>;
      return {
        init: (ctx) => {
          store = ctx.getStateStore(storeName);
        },
        get: (wk) => store.fetch(wk.key, wk.window.start),
      };
    },
    storeNames: () => [storeName],
  };
}
