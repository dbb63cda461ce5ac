import { bytesToKey, readLong } from '../internals/Bytes.js';
import { liveFrom, type WindowBytesStore, type WindowEntry } from '../internals/WindowBytesStore.js';
import { RocksDBStoreBase } from './RocksDBStoreBase.js';
import { longBytes, type RocksDBStoreOptions } from './RocksDBStoreCore.js';
import {
  parseWindowDataKey,
  parseWindowTimeKey,
  segmentInterval,
  segmentOf,
  seqnumSuffix,
  timeBytes,
  windowDataKey,
  windowDataKeyLength,
  windowTimeKey,
} from './SegmentedKeys.js';
import type { CommitOptions } from './TaskStateStores.js';

const TIME = 'time';
const EMPTY = Buffer.alloc(0);
const OBSERVED_KEY = Buffer.from('observed-stream-time');
const SEQNUM_KEY = Buffer.from('seqnum');
const MULTI_GET_CHUNK = 1024;
const SCAN_CHUNK = 1024;

/** One uncommitted window write (value null: a delete). */
interface Pending {
  readonly key: Buffer;
  readonly start: number;
  readonly seqnum: number;
  /** The in-memory store's id: key bytes (latin1), plus the seqnum when duplicates are retained. */
  readonly id: string;
  value: Buffer | null;
}

/** A window read result with its sort fields. */
interface Row {
  readonly key: Buffer;
  readonly start: number;
  readonly id: string;
  readonly value: Buffer;
}

const byStartThenId = (a: Row, b: Row): number => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The RocksDB bottom of a window store stack, in bytes (Kafka's
 * RocksDBWindowStore) with the semantics of InMemoryWindowStore: stream time
 * is the largest window start put, windows a retention period behind it
 * expire, reads return Kafka's in-memory order (window start, then key bytes,
 * duplicates by insertion). Layout: see SegmentedKeys.
 *
 * Writes since the last commit stay in an overlay, as in RocksDBKeyValueStore;
 * the commit batch also carries the stream time and the duplicate seqnum, so
 * a reopened store expires and numbers exactly as it would have.
 */
export class RocksDBWindowStore extends RocksDBStoreBase implements WindowBytesStore {
  private readonly interval: number;
  private readonly overlay = new Map<string, Pending>();
  /** Uncommitted writes by record key (latin1), for single-key reads. */
  private readonly overlayByKey = new Map<string, Pending[]>();
  private overlayBytes = 0;
  private observed = -1;
  private seqnum = 0;
  private committedObserved = -1;
  private committedSeqnum = 0;
  /** Segments below this one were deleted from RocksDB. */
  private purgedBelow = 0;

  constructor(
    name: string,
    readonly retentionPeriod: number,
    readonly windowSize: number,
    readonly retainDuplicates: boolean,
    options: RocksDBStoreOptions = {},
  ) {
    super(name, 'window', ['default', TIME], options);
    this.interval = segmentInterval(retentionPeriod);
  }

  get observedStreamTime(): number {
    return this.observed;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.checkOpen();
    // with duplicates a null put is a no-op that does not even move stream time (Kafka's RocksDB window store)
    if (value === null && this.retainDuplicates) return;
    this.observed = Math.max(this.observed, windowStart);
    // expired already (Kafka drops it); a negative start is expired on the next read anyway (liveFrom >= 0)
    if (windowStart <= this.observed - this.retentionPeriod || windowStart < 0) return;
    const k = bytesToKey(key);
    let seqnum = 0;
    let id = k;
    if (value !== null && this.retainDuplicates) {
      this.seqnum = (this.seqnum + 1) & 0x7fffffff;
      seqnum = this.seqnum;
      id += seqnumSuffix(seqnum);
    }
    const mapKey = `${windowStart}|${id}`;
    const existing = this.overlay.get(mapKey);
    if (existing !== undefined) {
      this.overlayBytes += (value?.length ?? 0) - (existing.value?.length ?? 0);
      existing.value = value;
      return;
    }
    // a copy: a pass-through key serde would hand us the caller's own buffer
    const pending: Pending = { key: Buffer.from(key), start: windowStart, seqnum, id, value };
    this.overlay.set(mapKey, pending);
    let list = this.overlayByKey.get(k);
    if (list === undefined) {
      list = [];
      this.overlayByKey.set(k, list);
    }
    list.push(pending);
    this.overlayBytes += key.length + 48 + (value?.length ?? 0);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null {
    this.checkOpen();
    // with duplicates no entry has the bare key as id, as in the in-memory store
    if (this.retainDuplicates || windowStart < liveFrom(this.observed, this.retentionPeriod)) return null;
    const pending = this.overlay.get(`${windowStart}|${bytesToKey(key)}`);
    if (pending !== undefined) return pending.value;
    return this.read(() => this.core.db.get(windowDataKey(segmentOf(windowStart, this.interval), key, windowStart, 0))) ?? null;
  }

  fetchRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    this.checkOpen();
    if (keyFrom !== null && keyTo !== null) {
      const order = Buffer.compare(keyFrom, keyTo);
      if (order > 0) return []; // an inverted key range is empty, as in Kafka
      if (order === 0) return this.fetchKey(keyFrom, timeFrom, timeTo, backward);
    }
    return this.fetchMany(keyFrom, keyTo, timeFrom, timeTo, backward);
  }

  fetchAll(timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    this.checkOpen();
    return this.fetchMany(null, null, timeFrom, timeTo, backward);
  }

  all(backward: boolean): WindowEntry[] {
    this.checkOpen();
    return this.fetchMany(null, null, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, backward);
  }

  // ---- commit protocol ----

  commit(changelogOffset: number | null, options: CommitOptions = {}): void {
    this.checkOpen();
    const unchanged = this.overlay.size === 0 && this.observed === this.committedObserved && this.seqnum === this.committedSeqnum;
    if (unchanged && (changelogOffset === null || changelogOffset === this.core.committedOffset())) return;
    const live = liveFrom(this.observed, this.retentionPeriod);
    this.core.commit(
      (batch) => {
        for (const p of this.overlay.values()) {
          // expired meanwhile: nothing to keep (older copies go with their segment)
          if (p.start < live) continue;
          const dataKey = windowDataKey(segmentOf(p.start, this.interval), p.key, p.start, p.seqnum);
          const timeKey = windowTimeKey(p.key, p.start, p.seqnum);
          if (p.value === null) {
            batch.delete(dataKey);
            batch.delete(timeKey, TIME);
          } else {
            batch.put(dataKey, p.value);
            batch.put(timeKey, EMPTY, TIME);
          }
        }
      },
      changelogOffset,
      [
        [OBSERVED_KEY, longBytes(this.observed)],
        [SEQNUM_KEY, longBytes(this.seqnum)],
      ],
      options.sync === true,
    );
    this.committedObserved = this.observed;
    this.committedSeqnum = this.seqnum;
    this.clearOverlay();
    this.purgeExpiredSegments();
  }

  rollback(): void {
    this.clearOverlay();
    this.observed = this.committedObserved;
    this.seqnum = this.committedSeqnum;
  }

  uncommittedBytes(): number {
    return this.overlayBytes;
  }

  protected override afterOpen(): void {
    const observed = this.core.readMetaValue(OBSERVED_KEY);
    const seqnum = this.core.readMetaValue(SEQNUM_KEY);
    this.committedObserved = this.observed = observed?.length === 8 ? readLong(observed, 0) : -1;
    this.committedSeqnum = this.seqnum = seqnum?.length === 8 ? readLong(seqnum, 0) : 0;
    this.purgedBelow = 0;
    this.purgeExpiredSegments();
  }

  protected clearOverlay(): void {
    this.overlay.clear();
    this.overlayByKey.clear();
    this.overlayBytes = 0;
  }

  // ---- reads ----

  /** One key's windows: a short scan per segment of the key-first data, merged with the overlay. */
  private fetchKey(key: Buffer, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    const lo = Math.max(timeFrom, liveFrom(this.observed, this.retentionPeriod));
    const hi = Math.min(timeTo, this.observed);
    if (hi < lo) return [];
    const k = bytesToKey(key);
    const rows: Row[] = [];
    for (let seg = segmentOf(lo, this.interval); seg <= segmentOf(hi, this.interval); seg++) {
      const from = Math.max(lo, seg * this.interval);
      const to = Math.min(hi, (seg + 1) * this.interval - 1);
      const it = this.read(() =>
        this.core.db.iterate({ gte: windowDataKey(seg, key, from, 0), lte: windowDataKey(seg, key, to, 0xffffffff) }),
      );
      for (let done = false; !done; ) {
        const chunk = this.read(() => it.next(SCAN_CHUNK));
        done = chunk.done;
        for (let i = 0; i < chunk.keys.length; i++) {
          const dataKey = chunk.keys[i] as Buffer;
          // a longer key that starts with this one can sort inside the range
          if (windowDataKeyLength(dataKey) !== key.length) continue;
          const { key: rk, start, seqnum } = parseWindowDataKey(dataKey);
          rows.push({ key: rk, start, id: this.retainDuplicates ? k + seqnumSuffix(seqnum) : k, value: chunk.values[i] as Buffer });
        }
      }
    }
    const pending = this.overlayByKey.get(k);
    const merged = pending === undefined ? rows : this.merge(rows, pending, lo, hi, null, null);
    return this.entries(merged, backward);
  }

  /** Windows of a key range (or all keys): the time index in order, values by multi-get, merged with the overlay. */
  private fetchMany(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, backward: boolean): WindowEntry[] {
    const lo = Math.max(timeFrom, liveFrom(this.observed, this.retentionPeriod));
    const hi = Math.min(timeTo, this.observed);
    if (hi < lo) return [];
    const found: { key: Buffer; start: number; seqnum: number }[] = [];
    const it = this.read(() => this.core.db.iterate({ column: TIME, gte: timeBytes(lo), lt: timeBytes(hi + 1) }));
    for (let done = false; !done; ) {
      const chunk = this.read(() => it.next(SCAN_CHUNK));
      done = chunk.done;
      for (const timeKey of chunk.keys) {
        const w = parseWindowTimeKey(timeKey);
        if (keyFrom !== null && Buffer.compare(w.key, keyFrom) < 0) continue;
        if (keyTo !== null && Buffer.compare(w.key, keyTo) > 0) continue;
        found.push(w);
      }
    }
    const rows: Row[] = [];
    for (let i = 0; i < found.length; i += MULTI_GET_CHUNK) {
      const part = found.slice(i, i + MULTI_GET_CHUNK);
      const values = this.read(() => this.core.db.getMany(part.map((w) => windowDataKey(segmentOf(w.start, this.interval), w.key, w.start, w.seqnum))));
      for (let j = 0; j < part.length; j++) {
        const w = part[j] as { key: Buffer; start: number; seqnum: number };
        const value = values[j];
        if (value === undefined) continue; // index and data are written in one batch; defensive only
        const k = bytesToKey(w.key);
        rows.push({ key: w.key, start: w.start, id: this.retainDuplicates ? k + seqnumSuffix(w.seqnum) : k, value });
      }
    }
    const merged = this.overlay.size === 0 ? rows : this.merge(rows, this.overlay.values(), lo, hi, keyFrom, keyTo);
    return this.entries(merged, backward);
  }

  /** Committed rows with the overlay applied (puts replace or add, deletes remove), sorted. */
  private merge(rows: Row[], pending: Iterable<Pending>, lo: number, hi: number, keyFrom: Buffer | null, keyTo: Buffer | null): Row[] {
    const byId = new Map<string, Row>();
    for (const r of rows) byId.set(`${r.start}|${r.id}`, r);
    for (const p of pending) {
      if (p.start < lo || p.start > hi) continue;
      if (keyFrom !== null && Buffer.compare(p.key, keyFrom) < 0) continue;
      if (keyTo !== null && Buffer.compare(p.key, keyTo) > 0) continue;
      const id = `${p.start}|${p.id}`;
      if (p.value === null) byId.delete(id);
      else byId.set(id, { key: p.key, start: p.start, id: p.id, value: p.value });
    }
    return [...byId.values()].sort(byStartThenId);
  }

  private entries(rows: Row[], backward: boolean): WindowEntry[] {
    const out = rows.map((r) => ({ key: r.key, windowStart: r.start, value: r.value }));
    return backward ? out.reverse() : out;
  }

  /** Deletes whole segments that expired by the committed stream time (reads already skip them). */
  private purgeExpiredSegments(): void {
    const liveSegment = segmentOf(liveFrom(this.committedObserved, this.retentionPeriod), this.interval);
    if (liveSegment <= this.purgedBelow) return;
    this.core.db.deleteRange('default', EMPTY, timeBytes(liveSegment));
    this.core.db.deleteRange(TIME, EMPTY, timeBytes(liveSegment * this.interval));
    this.purgedBelow = liveSegment;
  }
}
