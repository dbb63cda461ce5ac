import { InvalidStateStoreError } from '../../errors.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey } from './Bytes.js';
import { insertSorted, lowerBound, removeSorted } from './SortedArray.js';
import { liveFrom, type WindowBytesStore, type WindowEntry } from './WindowBytesStore.js';
import { SEQNUM_SIZE } from './WindowKeySchema.js';

/** The windows of one window start: ids (latin1 key bytes, plus the seqnum with duplicates) in byte order. */
interface Segment {
  readonly ids: string[];
  readonly entries: Map<string, { readonly key: Buffer; value: Buffer }>;
}

/**
 * The in-memory bottom of a window store stack, in bytes (Kafka's
 * InMemoryWindowStore): a sorted list of window starts, each with its keys in
 * byte order. Stream time is the largest window start put; windows that fall
 * out of the retention period behind it are dropped on the next access.
 */
export class InMemoryWindowStore implements WindowBytesStore {
  readonly persistent = false;
  private readonly starts: number[] = [];
  private readonly segments = new Map<number, Segment>();
  private observed = -1; // Kafka's ConsumerRecord.NO_TIMESTAMP
  private seqnum = 0;
  private open = false;

  constructor(
    readonly name: string,
    readonly retentionPeriod: number,
    readonly windowSize: number,
    readonly retainDuplicates: boolean,
  ) {}

  get observedStreamTime(): number {
    return this.observed;
  }

  init(context: StoreContext, root: StateStore): void {
    this.open = true;
    context.register(root);
  }

  flush(): void {}

  close(): void {
    this.starts.length = 0;
    this.segments.clear();
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.checkOpen();
    // as in Kafka: expire against the old stream time, then advance it
    this.removeExpired();
    this.observed = Math.max(this.observed, windowStart);
    // too old to be kept: Kafka drops it (and counts a dropped record)
    if (windowStart <= this.observed - this.retentionPeriod) return;
    if (value !== null) {
      let id = bytesToKey(key);
      if (this.retainDuplicates) {
        this.seqnum = (this.seqnum + 1) & 0x7fffffff;
        id += seqnumSuffix(this.seqnum);
      }
      let seg = this.segments.get(windowStart);
      if (seg === undefined) {
        seg = { ids: [], entries: new Map() };
        this.segments.set(windowStart, seg);
        insertSorted(this.starts, windowStart);
      }
      const existing = seg.entries.get(id);
      if (existing !== undefined) {
        existing.value = value;
      } else {
        insertSorted(seg.ids, id);
        // a copy: a pass-through key serde would hand us the caller's own buffer
        seg.entries.set(id, { key: Buffer.from(key), value });
      }
    } else if (!this.retainDuplicates) {
      // with duplicates a null put deletes nothing: no entry has the bare key as id
      const seg = this.segments.get(windowStart);
      const id = bytesToKey(key);
      if (seg === undefined || !seg.entries.delete(id)) return;
      removeSorted(seg.ids, id);
      if (seg.entries.size === 0) {
        this.segments.delete(windowStart);
        removeSorted(this.starts, windowStart);
      }
    }
  }

  fetch(key: Buffer, windowStart: number): Buffer | null {
    this.checkOpen();
    this.removeExpired();
    if (windowStart <= this.observed - this.retentionPeriod) return null;
    return this.segments.get(windowStart)?.entries.get(bytesToKey(key))?.value ?? null;
  }

  fetchRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    this.checkOpen();
    this.removeExpired();
    // an inverted key range is empty (Kafka logs a warning about serdes that do not preserve order)
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    return this.scan(keyFrom && bytesToKey(keyFrom), keyTo && bytesToKey(keyTo), timeFrom, timeTo, backward);
  }

  fetchAll(timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    this.checkOpen();
    this.removeExpired();
    return this.scan(null, null, timeFrom, timeTo, backward);
  }

  all(backward: boolean): WindowEntry[] {
    this.checkOpen();
    this.removeExpired();
    return this.scan(null, null, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, backward);
  }

  /** Windows in the key and time ranges, by start then id; with duplicates the id's seqnum keeps insertion order. */
  private scan(from: string | null, to: string | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    // "+ 1": a window expires exactly retentionPeriod after the stream time reached its start
    const minTime = Math.max(timeFrom, this.observed - this.retentionPeriod + 1);
    const out: WindowEntry[] = [];
    if (timeTo < minTime) return out;
    for (let i = lowerBound(this.starts, minTime); i < this.starts.length; i++) {
      const start = this.starts[i] as number;
      if (start > timeTo) break;
      const seg = this.segments.get(start) as Segment;
      // key+seqnum >= key, so the lower bound holds with duplicates too
      for (let j = from === null ? 0 : lowerBound(seg.ids, from); j < seg.ids.length; j++) {
        const id = seg.ids[j] as string;
        if (to !== null) {
          // with duplicates, ids of different key lengths interleave: filter instead of stopping
          const k = this.retainDuplicates ? id.slice(0, -SEQNUM_SIZE) : id;
          if (k > to) {
            if (this.retainDuplicates) continue;
            break;
          }
        }
        if (from !== null && this.retainDuplicates && id.slice(0, -SEQNUM_SIZE) < from) continue;
        const e = seg.entries.get(id) as { key: Buffer; value: Buffer };
        out.push({ key: e.key, windowStart: start, value: e.value });
      }
    }
    return backward ? out.reverse() : out;
  }

  private removeExpired(): void {
    const n = lowerBound(this.starts, liveFrom(this.observed, this.retentionPeriod));
    if (n === 0) return;
    for (let i = 0; i < n; i++) this.segments.delete(this.starts[i] as number);
    this.starts.splice(0, n);
  }

  private checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}

/** The seqnum as 4 big-endian bytes in latin1, so ids of one key sort by insertion. */
function seqnumSuffix(seqnum: number): string {
  return String.fromCharCode((seqnum >>> 24) & 0xff, (seqnum >>> 16) & 0xff, (seqnum >>> 8) & 0xff, seqnum & 0xff);
}
