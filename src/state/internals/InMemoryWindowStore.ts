import { InvalidStateStoreError } from '../../errors.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey } from './Bytes.js';
import { insertSorted, lowerBound, partitionPoint, removeSorted, SortedList } from './SortedArray.js';
import { liveFrom, type WindowBytesStore, type WindowEntry } from './WindowBytesStore.js';
import { SEQNUM_SIZE } from './WindowKeySchema.js';

/** The windows of one window start: ids (latin1 key bytes, plus the seqnum with duplicates) in byte order. */
interface Segment {
  readonly ids: string[];
  readonly entries: Map<string, { readonly key: Buffer; value: Buffer }>;
}

/** Where one window of a key sits: its start and its id within that start's segment. */
interface Slot {
  readonly start: number;
  readonly id: string;
}

/**
 * The in-memory bottom of a window store stack, in bytes (Kafka's
 * InMemoryWindowStore): a sorted list of window starts, each with its keys in
 * byte order. Stream time is the largest window start put; windows that fall
 * out of the retention period behind it are dropped on the next access.
 *
 * A per-key index of slots lets single-key fetches (windowed aggregations,
 * join buffers) skip the other keys' windows; Kafka walks every window start
 * in the range, which is the same result at a far higher cost.
 */
export class InMemoryWindowStore implements WindowBytesStore {
  readonly persistent = false;
  private readonly starts = new SortedList<number>();
  private readonly segments = new Map<number, Segment>();
  private readonly byKey = new Map<string, Slot[]>(); // by start, then id
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
    this.starts.clear();
    this.segments.clear();
    this.byKey.clear();
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.checkOpen();
    // With duplicates (join buffers) a null put is a no-op. Kafka's in-memory store still lets it move
    // stream time; its default RocksDB store does not, and the DSL's behaviour follows the default store.
    if (value === null && this.retainDuplicates) return;
    // as in Kafka: expire against the old stream time, then advance it
    this.removeExpired();
    this.observed = Math.max(this.observed, windowStart);
    // too old to be kept: Kafka drops it (and counts a dropped record)
    if (windowStart <= this.observed - this.retentionPeriod) return;
    const k = bytesToKey(key);
    if (value !== null) {
      let id = k;
      if (this.retainDuplicates) {
        this.seqnum = (this.seqnum + 1) & 0x7fffffff;
        id += seqnumSuffix(this.seqnum);
      }
      let seg = this.segments.get(windowStart);
      if (seg === undefined) {
        seg = { ids: [], entries: new Map() };
        this.segments.set(windowStart, seg);
        this.starts.insert(windowStart);
      }
      const existing = seg.entries.get(id);
      if (existing !== undefined) {
        existing.value = value;
        return;
      }
      insertSorted(seg.ids, id);
      // a copy: a pass-through key serde would hand us the caller's own buffer
      seg.entries.set(id, { key: Buffer.from(key), value });
      this.indexAdd(k, { start: windowStart, id });
    } else if (!this.retainDuplicates) {
      // with duplicates a null put deletes nothing: no entry has the bare key as id
      const seg = this.segments.get(windowStart);
      if (seg === undefined || !seg.entries.delete(k)) return;
      removeSorted(seg.ids, k);
      if (seg.entries.size === 0) {
        this.segments.delete(windowStart);
        this.starts.remove(windowStart);
      }
      this.indexRemove(k, windowStart);
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
    if (keyFrom !== null && keyTo !== null) {
      const order = Buffer.compare(keyFrom, keyTo);
      // an inverted key range is empty (Kafka logs a warning about serdes that do not preserve order)
      if (order > 0) return [];
      if (order === 0) return this.scanKey(bytesToKey(keyFrom), timeFrom, timeTo, backward);
    }
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

  /** "+ 1": a window expires exactly retentionPeriod after the stream time reached its start. */
  private minTime(timeFrom: number): number {
    return Math.max(timeFrom, this.observed - this.retentionPeriod + 1);
  }

  /** One key's windows in the time range, through the per-key index, in the same order as `scan`. */
  private scanKey(k: string, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    const out: WindowEntry[] = [];
    const slots = this.byKey.get(k);
    if (slots === undefined) return out;
    const minTime = this.minTime(timeFrom);
    for (let i = partitionPoint(slots, (s) => s.start < minTime); i < slots.length; i++) {
      const slot = slots[i] as Slot;
      if (slot.start > timeTo) break;
      const e = this.segments.get(slot.start)?.entries.get(slot.id) as { key: Buffer; value: Buffer };
      out.push({ key: e.key, windowStart: slot.start, value: e.value });
    }
    return backward ? out.reverse() : out;
  }

  /** Windows in the key and time ranges, by start then id; with duplicates the id's seqnum keeps insertion order. */
  private scan(from: string | null, to: string | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    const minTime = this.minTime(timeFrom);
    const out: WindowEntry[] = [];
    if (timeTo < minTime) return out;
    for (let i = this.starts.lowerBound(minTime); i < this.starts.length; i++) {
      const start = this.starts.at(i);
      if (start > timeTo) break;
      const seg = this.segments.get(start) as Segment;
      // key+seqnum >= key, so the lower bound holds with duplicates too
      for (let j = from === null ? 0 : lowerBound(seg.ids, from); j < seg.ids.length; j++) {
        const id = seg.ids[j] as string;
        const k = this.keyOf(id);
        if (to !== null && k > to) {
          // with duplicates, ids of different key lengths interleave: filter instead of stopping
          if (this.retainDuplicates) continue;
          break;
        }
        if (from !== null && k < from) continue;
        const e = seg.entries.get(id) as { key: Buffer; value: Buffer };
        out.push({ key: e.key, windowStart: start, value: e.value });
      }
    }
    return backward ? out.reverse() : out;
  }

  private removeExpired(): void {
    const horizon = liveFrom(this.observed, this.retentionPeriod);
    const n = this.starts.lowerBound(horizon);
    if (n === 0) return;
    const touched = new Set<string>();
    for (let i = 0; i < n; i++) {
      const start = this.starts.at(i);
      for (const id of (this.segments.get(start) as Segment).ids) touched.add(this.keyOf(id));
      this.segments.delete(start);
    }
    this.starts.dropFront(n);
    // expired slots are the oldest, so they lead each key's index
    for (const k of touched) {
      const slots = this.byKey.get(k) as Slot[];
      slots.splice(0, partitionPoint(slots, (s) => s.start < horizon));
      if (slots.length === 0) this.byKey.delete(k);
    }
  }

  private indexAdd(k: string, slot: Slot): void {
    let slots = this.byKey.get(k);
    if (slots === undefined) {
      slots = [];
      this.byKey.set(k, slots);
    }
    const i = partitionPoint(slots, (s) => s.start < slot.start || (s.start === slot.start && s.id < slot.id));
    // time mostly moves forward, so this is mostly an append
    if (i === slots.length) slots.push(slot);
    else slots.splice(i, 0, slot);
  }

  /** Without duplicates a key has at most one slot per start. */
  private indexRemove(k: string, start: number): void {
    const slots = this.byKey.get(k);
    if (slots === undefined) return;
    const i = partitionPoint(slots, (s) => s.start < start);
    if (slots[i]?.start === start) slots.splice(i, 1);
    if (slots.length === 0) this.byKey.delete(k);
  }

  /** The key bytes (latin1) of an id: the id itself, or without its seqnum when duplicates are retained. */
  private keyOf(id: string): string {
    return this.retainDuplicates ? id.slice(0, -SEQNUM_SIZE) : id;
  }

  private checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}

/** The seqnum as 4 big-endian bytes in latin1, so ids of one key sort by insertion. */
function seqnumSuffix(seqnum: number): string {
  return String.fromCharCode((seqnum >>> 24) & 0xff, (seqnum >>> 16) & 0xff, (seqnum >>> 8) & 0xff, seqnum & 0xff);
}
