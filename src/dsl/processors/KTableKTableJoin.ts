import type { Processor } from '../../processor/Processor.js';
import type { Record } from '../../processor/Record.js';
import { ValueAndTimestamp } from '../../state/ValueAndTimestamp.js';
import type { InternalProcessorContext } from '../../topology/InternalProcessorContext.js';
import { Change } from '../internals/Change.js';
import type { KTableParent } from '../internals/KTableParent.js';
import type { KTableProcessorSupplier, KTableValueGetter, KTableValueGetterSupplier } from '../internals/KTableValueGetter.js';

/**
 * One side of a table-table join. `inner`: both sides needed. `left`: this
 * side drives, the other may be missing. `right`: the other side of a left
 * join (its updates join with the left value, which must exist). `outer`:
 * either side may be missing. The joiner gets (thisValue, otherValue, key);
 * the other side's processor is built with the arguments swapped back.
 */
export type TableJoinKind = 'inner' | 'left' | 'right' | 'outer';

export class KTableKTableJoin<K, V1, V2, VR> implements KTableProcessorSupplier<K, Change<V1>, K, VR> {
  sendOldValues = false;

  constructor(
    private readonly kind: TableJoinKind,
    private readonly thisTable: KTableParent<K, V1>,
    private readonly otherTable: KTableParent<K, V2>,
    private readonly joiner: (v1: V1 | null, v2: V2 | null, key: K) => VR,
  ) {}

  enableSendingOldValues(): boolean {
    // table-table joins need both inputs materialized with old values
    this.thisTable.enableSendingOldValues(true);
    this.otherTable.enableSendingOldValues(true);
    this.sendOldValues = true;
    return true;
  }

  /** The join result for a key, computed from both sides' current values. */
  view(): KTableValueGetterSupplier<K, VR> {
    const s1 = this.thisTable.valueGetterSupplier();
    const s2 = this.otherTable.valueGetterSupplier();
    const { kind, joiner } = this;
    return {
      get: () => {
        const g1 = s1.get();
        const g2 = s2.get();
        return {
          init: (ctx) => {
            g1.init(ctx);
            g2.init(ctx);
          },
          get: (key: K) => {
            const a = g1.get(key);
            if (kind === 'outer') {
              const b = g2.get(key);
              if (a === null && b === null) return null;
              return ValueAndTimestamp.make(joiner(a?.value ?? null, b?.value ?? null, key), Math.max(a?.timestamp ?? -1, b?.timestamp ?? -1));
            }
            if (a === null) return null;
            const b = g2.get(key);
            if (b === null && kind !== 'left') return null;
            return ValueAndTimestamp.make(joiner(a.value, b?.value ?? null, key), Math.max(a.timestamp, b?.timestamp ?? -1));
          },
        };
      },
      storeNames: () => [...new Set([...s1.storeNames(), ...s2.storeNames()])],
    };
  }

  get(): Processor<K, Change<V1>, K, Change<VR>> {
    const otherGetterSupplier = this.otherTable.valueGetterSupplier();
    const { kind, joiner, sendOldValues } = this;
    let ctx: InternalProcessorContext;
    let other: KTableValueGetter<K, V2>;
    return {
      init: (c) => {
        ctx = c as unknown as InternalProcessorContext;
        other = otherGetterSupplier.get();
        other.init(c);
      },
      process: (r: Record<K, Change<V1>>) => {
        if (r.key === null || r.key === undefined) {
          ctx.recordDropped('null key');
          return;
        }
        const { newValue, oldValue } = r.value;
        const right = other.get(r.key);
        const v2 = right === null ? null : right.value;
        let out: Change<VR>;
        let ts: number;
        switch (kind) {
          case 'inner':
            if (right === null) return;
            ts = Math.max(r.timestamp, right.timestamp);
            out = new Change(
              newValue !== null ? joiner(newValue, v2, r.key) : null,
              sendOldValues && oldValue !== null ? joiner(oldValue, v2, r.key) : null,
            );
            break;
          case 'left':
            if (right === null && newValue === null && oldValue === null) return;
            ts = Math.max(r.timestamp, right === null ? -1 : right.timestamp);
            out = new Change(
              newValue !== null ? joiner(newValue, v2, r.key) : null,
              sendOldValues && oldValue !== null ? joiner(oldValue, v2, r.key) : null,
            );
            break;
          case 'right':
            if (right === null) return;
            ts = Math.max(r.timestamp, right.timestamp);
            out = new Change(joiner(newValue, v2, r.key), sendOldValues ? joiner(oldValue, v2, r.key) : null);
            break;
          case 'outer':
            if (right === null && newValue === null && oldValue === null) return;
            ts = right === null ? r.timestamp : Math.max(r.timestamp, right.timestamp);
            out = new Change(
              right !== null || newValue !== null ? joiner(newValue, v2, r.key) : null,
              sendOldValues && (right !== null || oldValue !== null) ? joiner(oldValue, v2, r.key) : null,
            );
            break;
        }
        ctx.forward(r.withValue(out).withTimestamp(ts));
      },
    };
  }
}
