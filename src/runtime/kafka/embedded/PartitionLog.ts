import type { Headers } from '../../../processor/Headers.js';
import type { RawRecord } from '../../task/RawRecord.js';
import { IsolationLevel } from '../KafkaPort.js';

/** The fate of one transaction, shared by all of its records. */
export interface TxnStatus {
  state: 'open' | 'committed' | 'aborted';
}

/** One slot of the log: a data record, or a transaction marker (`record === null`). */
interface Entry {
  readonly record: RawRecord | null;
  readonly txn: TxnStatus | null;
}

/**
 * One partition's log, with Kafka's offset rules:
 * - every append takes the next offset, and so does every transaction marker (control
 *   record), which consumers never see: offsets seen by a consumer can have gaps;
 * - the high watermark is the next offset to be written (no replication here);
 * - the last stable offset (LSO) is the first offset of the oldest open transaction, or
 *   the high watermark; read_committed consumers read up to it and skip aborted records;
 * - `deleteRecordsBefore` moves the log start offset and forgets older records.
 */
export class PartitionLog {
  private entries: Entry[] = [];
  /** Offset of entries[0]; also the log start offset. */
  private base = 0;
  /** Open transactions on this partition, with the offset of their first record. */
  private readonly open = new Map<TxnStatus, number>();

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get logStartOffset(): number {
    return this.base;
  }

  get highWatermark(): number {
    return this.base + this.entries.length;
  }

  lastStableOffset(): number {
    let lso = this.highWatermark;
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Where a consumer with this isolation level stops. */
  endOffset(isolation: IsolationLevel): number {
    return isolation === IsolationLevel.READ_COMMITTED ? this.lastStableOffset() : this.highWatermark;
  }

  append(key: Buffer | null, value: Buffer | null, headers: Headers, timestamp: number, txn: TxnStatus | null): RawRecord {
    const offset = this.highWatermark;
    const record: RawRecord = { topic: this.topic, partition: this.partition, offset, timestamp, key, value, headers };
    this.entries.push({ record, txn });
    if (txn !== null && !this.open.has(txn)) this.open.set(txn, offset);
    return record;
  }

  /** Writes the commit or abort marker of `txn` (whose state is already final). */
  appendMarker(txn: TxnStatus): void {
    this.entries.push({ record: null, txn });
    this.open.delete(txn);
  }

  /**
   * Up to `max` visible records from offset `from`, and the offset to read next. The
   * next offset moves past markers and skipped aborted records too, as a Kafka
   * consumer's position does.
   */
  read(from: number, isolation: IsolationLevel, max: number): { records: RawRecord[]; next: number } {
    const end = this.endOffset(isolation);
    const committedOnly = isolation === IsolationLevel.READ_COMMITTED;
    const records: RawRecord[] = [];
    let pos = Math.max(from, this.base);
    while (pos < end && records.length < max) {
      const entry = this.entries[pos - this.base] as Entry;
      pos++;
      if (entry.record === null) continue;
      if (committedOnly && entry.txn !== null && entry.txn.state === 'aborted') continue;
      records.push(entry.record);
    }
    return { records, next: pos };
  }

  /** Deletes records before `offset` (clamped to the high watermark; -1 means the high watermark). */
  deleteRecordsBefore(offset: number): void {
    const target = offset < 0 ? this.highWatermark : Math.min(offset, this.highWatermark);
    if (target <= this.base) return;
    this.entries = this.entries.slice(target - this.base);
    this.base = target;
  }
}
