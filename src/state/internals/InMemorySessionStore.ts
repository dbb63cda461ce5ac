import { InvalidStateStoreError } from '../../errors.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { bytesToKey } from './Bytes.js';
import type { SessionBytesStore, SessionEntry } from './SessionBytesStore.js';
import { insertSorted, lowerBound, partitionPoint, removeSorted } from './SortedArray.js';
import { liveFrom } from './WindowBytesStore.js';

/** The sessions of one key that share an end time, by start. */
interface KeySessions {
  readonly key: Buffer;
  readonly starts: number[];
  readonly values: Map<number, Buffer>;
}

/** The sessions that share an end time, by key (latin1 bytes). */
interface EndBucket {
  readonly keys: string[];
  readonly byKey: Map<string, KeySessions>;
}

/** Where one session of a key sits. */
interface SessionRef {
  readonly end: number;
  readonly start: number;
}

/** The forward order of one key's sessions: end ascending, then start descending. */
function refBefore(a: SessionRef, b: SessionRef): boolean {
  return a.end < b.end || (a.end === b.end && a.start > b.start);
}

/**
 * The in-memory bottom of a session store stack, in bytes (Kafka's
 * InMemorySessionStore): end time -> key -> start time -> aggregate. Stream
 * time is the largest session end put; sessions that end a retention period
 * or more behind it are dropped on the next access.
 *
 * A per-key index of sessions lets single-key finds (every record of a
 * session aggregation does one) skip the other keys; Kafka walks every end
 * time in the range, which is the same result at a far higher cost.
 */
export class InMemorySessionStore implements SessionBytesStore {
  readonly persistent = false;
  private readonly ends: number[] = [];
  private readonly byEnd = new Map<number, EndBucket>();
  private readonly byKey = new Map<string, SessionRef[]>(); // in refBefore order
  private observed = -1; // Kafka's ConsumerRecord.NO_TIMESTAMP
  private open = false;

  constructor(
    readonly name: string,
    readonly retentionPeriod: number,
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
    this.ends.length = 0;
    this.byEnd.clear();
    this.byKey.clear();
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): void {
    this.checkOpen();
    // as in Kafka: expire against the old stream time, then advance it
    this.removeExpired();
    this.observed = Math.max(this.observed, end);
    // too old to be kept: Kafka drops it (and counts a dropped record)
    if (end <= this.observed - this.retentionPeriod) return;
    if (value === null) {
      this.remove(key, start, end);
      return;
    }
    let bucket = this.byEnd.get(end);
    if (bucket === undefined) {
      bucket = { keys: [], byKey: new Map() };
      this.byEnd.set(end, bucket);
      insertSorted(this.ends, end);
    }
    const k = bytesToKey(key);
    let sessions = bucket.byKey.get(k);
    if (sessions === undefined) {
      // a copy: a pass-through key serde would hand us the caller's own buffer
      sessions = { key: Buffer.from(key), starts: [], values: new Map() };
      bucket.byKey.set(k, sessions);
      insertSorted(bucket.keys, k);
    }
    if (!sessions.values.has(start)) {
      insertSorted(sessions.starts, start);
      this.indexAdd(k, { end, start });
    }
    sessions.values.set(start, value);
  }

  /** Removes a session; like Kafka's, it neither expires nor checks stream time. */
  remove(key: Buffer, start: number, end: number): void {
    this.checkOpen();
    const bucket = this.byEnd.get(end);
    const k = bytesToKey(key);
    const sessions = bucket?.byKey.get(k);
    if (bucket === undefined || sessions === undefined || !sessions.values.delete(start)) return;
    removeSorted(sessions.starts, start);
    this.indexRemove(k, { end, start });
    if (sessions.values.size > 0) return;
    bucket.byKey.delete(k);
    removeSorted(bucket.keys, k);
    if (bucket.byKey.size > 0) return;
    this.byEnd.delete(end);
    removeSorted(this.ends, end);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    this.checkOpen();
    this.removeExpired();
    if (end <= this.observed - this.retentionPeriod) return null;
    return this.byEnd.get(end)?.byKey.get(bytesToKey(key))?.values.get(start) ?? null;
  }

  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): SessionEntry[] {
    this.checkOpen();
    this.removeExpired();
    const out: SessionEntry[] = [];
    // an inverted key range is empty (Kafka logs a warning about serdes that do not preserve order)
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return out;
    const from = keyFrom && bytesToKey(keyFrom);
    const to = keyTo && bytesToKey(keyTo);
    if (from !== null && from === to) return this.findKey(from, earliestSessionEndTime, latestSessionStartTime, backward);
    for (let i = lowerBound(this.ends, earliestSessionEndTime); i < this.ends.length; i++) {
      const end = this.ends[i] as number;
      const bucket = this.byEnd.get(end) as EndBucket;
      for (let j = from === null ? 0 : lowerBound(bucket.keys, from); j < bucket.keys.length; j++) {
        const k = bucket.keys[j] as string;
        if (to !== null && k > to) break;
        const sessions = bucket.byKey.get(k) as KeySessions;
        // Kafka walks the starts of one key and end backwards when iterating forward
        for (let s = sessions.starts.length - 1; s >= 0; s--) {
          const start = sessions.starts[s] as number;
          if (start > latestSessionStartTime) continue;
          out.push({ key: sessions.key, start, end, value: sessions.values.get(start) as Buffer });
        }
      }
    }
    return backward ? out.reverse() : out;
  }

  /** Kafka's InMemorySessionStore.findSessions(long, long): the live sessions ending in the range. */
  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): SessionEntry[] {
    return this.findSessions(null, null, earliestSessionEndTime, latestSessionEndTime, false).filter((e) => e.end <= latestSessionEndTime);
  }

  /** One key's sessions through the per-key index, in the same order as the scan. */
  private findKey(k: string, earliestEnd: number, latestStart: number, backward: boolean): SessionEntry[] {
    const out: SessionEntry[] = [];
    const refs = this.byKey.get(k);
    if (refs === undefined) return out;
    for (let i = partitionPoint(refs, (r) => r.end < earliestEnd); i < refs.length; i++) {
      const { end, start } = refs[i] as SessionRef;
      if (start > latestStart) continue;
      const sessions = this.byEnd.get(end)?.byKey.get(k) as KeySessions;
      out.push({ key: sessions.key, start, end, value: sessions.values.get(start) as Buffer });
    }
    return backward ? out.reverse() : out;
  }

  private removeExpired(): void {
    const horizon = liveFrom(this.observed, this.retentionPeriod);
    const n = lowerBound(this.ends, horizon);
    if (n === 0) return;
    const touched = new Set<string>();
    for (let i = 0; i < n; i++) {
      const end = this.ends[i] as number;
      for (const k of (this.byEnd.get(end) as EndBucket).keys) touched.add(k);
      this.byEnd.delete(end);
    }
    this.ends.splice(0, n);
    // expired sessions end first, so they lead each key's index
    for (const k of touched) {
      const refs = this.byKey.get(k) as SessionRef[];
      refs.splice(0, partitionPoint(refs, (r) => r.end < horizon));
      if (refs.length === 0) this.byKey.delete(k);
    }
  }

  private indexAdd(k: string, ref: SessionRef): void {
    let refs = this.byKey.get(k);
    if (refs === undefined) {
      refs = [];
      this.byKey.set(k, refs);
    }
    const i = partitionPoint(refs, (r) => refBefore(r, ref));
    // sessions mostly end later and later, so this is mostly an append
    if (i === refs.length) refs.push(ref);
    else refs.splice(i, 0, ref);
  }

  private indexRemove(k: string, ref: SessionRef): void {
    const refs = this.byKey.get(k);
    if (refs === undefined) return;
    const i = partitionPoint(refs, (r) => refBefore(r, ref));
    const found = refs[i];
    if (found !== undefined && found.end === ref.end && found.start === ref.start) refs.splice(i, 1);
    if (refs.length === 0) this.byKey.delete(k);
  }

  private checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}
