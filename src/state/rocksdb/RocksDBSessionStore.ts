import { bytesToKey, readLong } from '../internals/Bytes.js';
import { compareSessions, type SessionBytesStore, type SessionEntry } from '../internals/SessionBytesStore.js';
import { liveFrom } from '../internals/WindowBytesStore.js';
import { RocksDBStoreBase } from './RocksDBStoreBase.js';
import { longBytes, type RocksDBStoreOptions } from './RocksDBStoreCore.js';
import {
  keyRangeUpperBound,
  parseSessionDataKey,
  SESSION_SUFFIX_BYTES,
  SEGMENT_BYTES,
  segmentInterval,
  segmentKey,
  segmentOf,
  sessionDataKey,
  timeBytes,
} from './SegmentedKeys.js';
import type { CommitOptions } from './TaskStateStores.js';

const EMPTY = Buffer.alloc(0);
/** The largest start suffix: starts may be any long, and negative ones sort last as unsigned bytes. */
const MAX_START = Buffer.alloc(8, 0xff);
const OBSERVED_KEY = Buffer.from('observed-stream-time');
const SCAN_CHUNK = 1024;

/** One uncommitted session write (value null: a removal). */
interface Pending {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
  value: Buffer | null;
}

const mapKeyOf = (k: string, start: number, end: number): string => `${end}|${start}|${k}`;

/**
 * The RocksDB bottom of a session store stack, in bytes (Kafka's
 * RocksDBSessionStore) with the semantics of InMemorySessionStore: stream
 * time is the largest session end put, sessions ending a retention period
 * behind it expire, reads come in Kafka's in-memory order (end, key bytes,
 * start descending). Layout: see SegmentedKeys (segments by session end).
 * Uncommitted writes stay in an overlay, as in RocksDBKeyValueStore; the
 * commit batch also carries the stream time.
 */
export class RocksDBSessionStore extends RocksDBStoreBase implements SessionBytesStore {
  private readonly interval: number;
  private readonly overlay = new Map<string, Pending>();
  /** Uncommitted writes by record key (latin1), for single-key reads. */
  private readonly overlayByKey = new Map<string, Pending[]>();
  private overlayBytes = 0;
  private observed = -1;
  private committedObserved = -1;
  private purgedBelow = 0;

  constructor(
    name: string,
    readonly retentionPeriod: number,
    options: RocksDBStoreOptions = {},
    /**
     * Kafka's RocksDBTimeOrderedSessionStore (the DSL's default store for session
     * emit-on-close): sessions expire with whole segments only, i.e. a put is dropped and a
     * findSessionsByEndTime skips a session only when its segment is older than that of
     * stream time - retention; keyed reads still hide sessions ending a retention period
     * behind stream time (AbstractRocksDBTimeOrderedSegmentedBytesStore.getActualFrom).
     */
    private readonly timeOrdered = false,
  ) {
    super(name, 'session', ['default'], options);
    this.interval = segmentInterval(retentionPeriod);
  }

  /** The first session end the time-ordered store keeps: the start of Kafka's min live segment, segmentId(streamTime - retention) (long division). */
  private segmentLiveFrom(observed: number): number {
    return Math.trunc((observed - this.retentionPeriod) / this.interval) * this.interval;
  }

  get observedStreamTime(): number {
    return this.observed;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    this.checkOpen();
    this.observed = Math.max(this.observed, end);
    // expired already (Kafka drops it); a negative end is expired on the next read anyway (liveFrom >= 0)
    if (this.timeOrdered ? end < this.segmentLiveFrom(this.observed) || end < 0 : end <= this.observed - this.retentionPeriod || end < 0) return;
    this.write(key, start, end, value);
  }

  /** Removes a session; like Kafka's, it neither expires nor checks stream time. */
  remove(key: Buffer, start: number, end: number): void {
    this.checkOpen();
    this.write(key, start, end, null);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    this.checkOpen();
    if (end < liveFrom(this.observed, this.retentionPeriod)) return null;
    const pending = this.overlay.get(mapKeyOf(bytesToKey(key), start, end));
    if (pending !== undefined) return pending.value;
    return this.read(() => this.core.db.get(sessionDataKey(segmentOf(end, this.interval), key, start, end))) ?? null;
  }

  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): SessionEntry[] {
    this.checkOpen();
    // an inverted key range is empty (Kafka logs a warning about serdes that do not preserve order)
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    const lo = Math.max(earliestSessionEndTime, liveFrom(this.observed, this.retentionPeriod));
    const hi = this.observed; // no session ends later
    return this.scan(keyFrom, keyTo, lo, hi, latestSessionStartTime, backward);
  }

  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): SessionEntry[] {
    this.checkOpen();
    // the time-ordered store's fetchSessions filters by live segments only (no retention bound)
    const live = this.timeOrdered ? Math.max(0, this.segmentLiveFrom(this.observed)) : liveFrom(this.observed, this.retentionPeriod);
    const lo = Math.max(earliestSessionEndTime, live);
    const hi = Math.min(latestSessionEndTime, this.observed);
    const rows = this.scan(null, null, lo, hi, hi, false);
    // the time-ordered store's keys are [end][start][key]: by end, start, then key bytes
    if (this.timeOrdered) rows.sort((a, b) => a.end - b.end || a.start - b.start || Buffer.compare(a.key, b.key));
    return rows;
  }

  /** Sessions of keys in [keyFrom, keyTo] ending in [lo, hi] and starting at or before latestSessionStartTime. */
  private scan(keyFrom: Buffer | null, keyTo: Buffer | null, lo: number, hi: number, latestSessionStartTime: number, backward: boolean): SessionEntry[] {
    if (hi < lo) return [];
    const single = keyFrom !== null && keyTo !== null && keyFrom.equals(keyTo);
    const rows: SessionEntry[] = [];
    for (let seg = segmentOf(lo, this.interval); seg <= segmentOf(hi, this.interval); seg++) {
      const endFrom = Math.max(lo, seg * this.interval);
      const endTo = Math.min(hi, (seg + 1) * this.interval - 1);
      const maxSuffix = Buffer.concat([timeBytes(endTo), MAX_START]);
      let range: { gte: Buffer; lte?: Buffer; lt?: Buffer };
      if (single) {
        const key = keyFrom as Buffer;
        range = { gte: segmentKey(seg, key, timeBytes(endFrom)), lte: segmentKey(seg, key, maxSuffix) };
      } else {
        range = {
          gte: segmentKey(seg, keyFrom ?? EMPTY),
          ...(keyTo === null ? { lt: timeBytes(seg + 1) } : { lte: segmentKey(seg, keyRangeUpperBound(keyFrom, keyTo, maxSuffix)) }),
        };
      }
      const it = this.read(() => this.core.db.iterate(range));
      for (let done = false; !done; ) {
        const chunk = this.read(() => it.next(SCAN_CHUNK));
        done = chunk.done;
        for (let i = 0; i < chunk.keys.length; i++) {
          const dataKey = chunk.keys[i] as Buffer;
          // the key has no length prefix: longer keys that extend a bound can sort inside the range
          if (single && dataKey.length !== SEGMENT_BYTES + (keyFrom as Buffer).length + SESSION_SUFFIX_BYTES) continue;
          const s = parseSessionDataKey(dataKey);
          if (s.end < lo || s.end > hi || s.start > latestSessionStartTime) continue;
          if (!single && !inKeyRange(s.key, keyFrom, keyTo)) continue;
          rows.push({ key: s.key, start: s.start, end: s.end, value: chunk.values[i] as Buffer });
        }
      }
    }
    const pending = single ? this.overlayByKey.get(bytesToKey(keyFrom as Buffer)) : this.overlay.values();
    const merged = pending === undefined ? rows : this.merge(rows, pending, lo, hi, latestSessionStartTime, keyFrom, keyTo);
    merged.sort(compareSessions);
    return backward ? merged.reverse() : merged;
  }

  // ---- commit protocol ----

  commit(changelogOffset: number | null, options: CommitOptions = {}): void {
    this.checkOpen();
    const unchanged = this.overlay.size === 0 && this.observed === this.committedObserved;
    if (unchanged && (changelogOffset === null || changelogOffset === this.core.committedOffset())) return;
    const live = this.timeOrdered ? this.segmentLiveFrom(this.observed) : liveFrom(this.observed, this.retentionPeriod);
    this.core.commit(
      (batch) => {
        for (const p of this.overlay.values()) {
          if (p.end < live) continue; // expired meanwhile: older copies go with their segment
          const dataKey = sessionDataKey(segmentOf(p.end, this.interval), p.key, p.start, p.end);
          if (p.value === null) batch.delete(dataKey);
          else batch.put(dataKey, p.value);
        }
      },
      changelogOffset,
      [[OBSERVED_KEY, longBytes(this.observed)]],
      options.sync === true,
    );
    this.committedObserved = this.observed;
    this.clearOverlay();
    this.purgeExpiredSegments();
  }

  rollback(): void {
    this.clearOverlay();
    this.observed = this.committedObserved;
  }

  uncommittedBytes(): number {
    return this.overlayBytes;
  }

  protected override afterOpen(): void {
    const observed = this.core.readMetaValue(OBSERVED_KEY);
    this.committedObserved = this.observed = observed?.length === 8 ? readLong(observed, 0) : -1;
    this.purgedBelow = 0;
    this.purgeExpiredSegments();
  }

  protected clearOverlay(): void {
    this.overlay.clear();
    this.overlayByKey.clear();
    this.overlayBytes = 0;
  }

  private write(key: Buffer, start: number, end: number, value: Buffer | null): void {
    const k = bytesToKey(key);
    const mapKey = mapKeyOf(k, start, end);
    const existing = this.overlay.get(mapKey);
    if (existing !== undefined) {
      this.overlayBytes += (value?.length ?? 0) - (existing.value?.length ?? 0);
      existing.value = value;
      return;
    }
    // a copy: a pass-through key serde would hand us the caller's own buffer
    const pending: Pending = { key: Buffer.from(key), start, end, value };
    this.overlay.set(mapKey, pending);
    let list = this.overlayByKey.get(k);
    if (list === undefined) {
      list = [];
      this.overlayByKey.set(k, list);
    }
    list.push(pending);
    this.overlayBytes += key.length + 48 + (value?.length ?? 0);
  }

  /** Committed rows with the overlay applied (puts replace or add, removals delete). */
  private merge(
    rows: SessionEntry[],
    pending: Iterable<Pending>,
    lo: number,
    hi: number,
    latestStart: number,
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
  ): SessionEntry[] {
    const byId = new Map<string, SessionEntry>();
    for (const r of rows) byId.set(mapKeyOf(bytesToKey(r.key), r.start, r.end), r);
    for (const p of pending) {
      if (p.end < lo || p.end > hi || p.start > latestStart || !inKeyRange(p.key, keyFrom, keyTo)) continue;
      const id = mapKeyOf(bytesToKey(p.key), p.start, p.end);
      if (p.value === null) byId.delete(id);
      else byId.set(id, { key: p.key, start: p.start, end: p.end, value: p.value });
    }
    return [...byId.values()];
  }

  /** Deletes whole segments that expired by the committed stream time (reads already skip them). */
  private purgeExpiredSegments(): void {
    const liveSegment = this.timeOrdered
      ? Math.max(0, Math.trunc((this.committedObserved - this.retentionPeriod) / this.interval))
      : segmentOf(liveFrom(this.committedObserved, this.retentionPeriod), this.interval);
    if (liveSegment <= this.purgedBelow) return;
    this.core.db.deleteRange('default', EMPTY, timeBytes(liveSegment));
    this.purgedBelow = liveSegment;
  }
}

function inKeyRange(key: Buffer, keyFrom: Buffer | null, keyTo: Buffer | null): boolean {
  return (keyFrom === null || Buffer.compare(key, keyFrom) >= 0) && (keyTo === null || Buffer.compare(key, keyTo) <= 0);
}
