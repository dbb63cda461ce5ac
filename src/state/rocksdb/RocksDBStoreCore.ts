import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateDirectoryLockedError, StateStorageError, StorageFailure } from '../../errors.js';
import { readLong, writeLong } from '../internals/Bytes.js';
import { type ColumnOptions, RocksDB, type RocksDBWriteBatch, storageError } from './RocksDBBinding.js';
import { TaskDirectoryLock } from './TaskStateDirectory.js';

/** Options shared by the RocksDB stores. */
export interface RocksDBStoreOptions {
  /** Block cache of the store's data, in bytes. Default 8 MiB per store. */
  readonly blockCacheBytes?: number;
  /** ZSTD compression of SST files. Default false, as Kafka Streams. */
  readonly compression?: boolean;
  /** Where warnings go (corrupt store moved aside, stale lock taken over). Default console.warn. */
  readonly warn?: (message: string) => void;
}

/** The column family holding the changelog offset and the store's other metadata. */
export const META = 'meta';
const FORMAT_KEY = Buffer.from('format');
const OFFSET_KEY = Buffer.from('changelog-offset');
/** Bump when the on-disk layout changes: an older layout is then moved aside and restored from the changelog. */
const FORMAT_VERSION = 1;

/** A long as 8 big-endian bytes (meta values). */
export function longBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeLong(b, 0, n);
  return b;
}

/**
 * The part every RocksDB store shares: one database per store directory,
 * opened with the store's column families plus `meta`; the changelog offset
 * and the store's metadata written in the same WriteBatch as its data (so
 * they can never disagree after a crash); corrupt or incompatible data found
 * at open moved aside so the store starts empty and is restored.
 */
export class RocksDBStoreCore {
  private database: RocksDB | null = null;
  private batch: RocksDBWriteBatch | null = null;
  private offset: number | null = null;
  private directory = '';
  /** True when the last open found unreadable data and started empty. */
  corruptedAtOpen = false;

  constructor(
    readonly storeName: string,
    /** 'keyValue' | 'window' | 'session': a directory of another kind is not reused. */
    private readonly kind: string,
    private readonly dataColumns: readonly string[],
    private readonly options: RocksDBStoreOptions,
  ) {}

  get db(): RocksDB {
    if (this.database === null) throw new StateStorageError(`Store ${this.storeName} is not open`, { reason: StorageFailure.CLOSED });
    return this.database;
  }

  get location(): string {
    return this.directory;
  }

  warn(message: string): void {
    (this.options.warn ?? ((m: string) => console.warn(m)))(message);
  }

  /** Opens (or creates) the store in `directory`. */
  open(directory: string): void {
    this.directory = directory;
    this.corruptedAtOpen = false;
    mkdirSync(dirname(directory), { recursive: true });
    try {
      this.database = this.openDatabase();
      this.readMeta();
    } catch (e) {
      const err = storageError(e, `open of store ${this.storeName}`);
      if (err.reason === StorageFailure.LOCKED) throw this.lockedError(err);
      if (!unreadable(err)) {
        this.closeQuietly();
        throw err;
      }
      this.closeQuietly();
      const aside = `${directory}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(directory, aside);
      this.warn(
        `kstreams: store ${this.storeName} at ${directory} could not be read (${err.message}); ` +
          `moved it to ${aside} and started the store empty: it will be restored from its changelog`,
      );
      this.corruptedAtOpen = true;
      this.database = this.openDatabase();
      this.readMeta();
    }
  }

  /** The changelog offset the stored data reflects, or null when none was committed. */
  committedOffset(): number | null {
    return this.offset;
  }

  /** A meta value, or undefined. */
  readMetaValue(key: Buffer): Buffer | undefined {
    return this.db.get(key, META);
  }

  /**
   * Writes one atomic batch: the data `fill` adds, the changelog offset (when
   * not null) and `meta` entries. Either all of it is durable or none.
   */
  commit(fill: (batch: RocksDBWriteBatch) => void, offset: number | null, meta: readonly [Buffer, Buffer][], sync: boolean): void {
    const db = this.db;
    this.batch ??= db.batch();
    const batch = this.batch;
    try {
      fill(batch);
      if (offset !== null) batch.put(OFFSET_KEY, longBytes(offset), META);
      for (const [k, v] of meta) batch.put(k, v, META);
    } catch (e) {
      batch.clear();
      throw e;
    }
    db.write(batch, { sync });
    if (offset !== null) this.offset = offset;
  }

  /** Deletes every file of the store and reopens it empty (committed offset: none). */
  wipe(): void {
    this.closeQuietly();
    rmSync(this.directory, { recursive: true, force: true });
    this.corruptedAtOpen = false;
    this.database = this.openDatabase();
    this.readMeta();
  }

  close(): void {
    const db = this.database;
    this.database = null;
    this.batch = null;
    db?.close();
  }

  private openDatabase(): RocksDB {
    const data: ColumnOptions = { blockCacheBytes: this.options.blockCacheBytes, compression: this.options.compression };
    const columns: Record<string, ColumnOptions> = { [META]: { blockCacheBytes: 0 } };
    for (const c of this.dataColumns) if (c !== 'default') columns[c] = data;
    return RocksDB.open(this.directory, { defaultColumn: data, columns });
  }

  /** Reads the offset, and checks (or, for a new store, writes) the layout version and kind. */
  private readMeta(): void {
    const db = this.db;
    const format = db.get(FORMAT_KEY, META);
    const expected = JSON.stringify({ version: FORMAT_VERSION, kind: this.kind });
    if (format === undefined) {
      const b = db.batch();
      b.put(FORMAT_KEY, Buffer.from(expected), META);
      db.write(b);
    } else if (format.toString() !== expected) {
      throw new StateStorageError(`store layout ${format.toString()} is not the expected ${expected}`, { reason: StorageFailure.CORRUPTION });
    }
    const raw = db.get(OFFSET_KEY, META);
    this.offset = raw === undefined || raw.length !== 8 ? null : readLong(raw, 0);
  }

  private lockedError(cause: StateStorageError): StateDirectoryLockedError {
    // <taskDir>/rocksdb/<store>: the task lock file names who holds the task directory
    const taskDir = dirname(dirname(this.directory));
    const holder = TaskDirectoryLock.holderOf(taskDir) ?? undefined;
    return new StateDirectoryLockedError(
      `Store directory ${this.directory} is already open in a live process` +
        (holder ? ` (the task directory is locked by process ${holder.pid} on host ${holder.hostname})` : ' (RocksDB holds its LOCK)') +
        '. Only one instance of a task may open its stores.',
      { directory: this.directory, holder, cause },
    );
  }

  private closeQuietly(): void {
    try {
      this.close();
    } catch {
      // closing a database that failed is best effort
    }
  }
}

/**
 * Data that cannot be read: checksums or structure (RocksDB says Corruption),
 * files the database lists but that are gone, a layout of another kind or
 * version. All of these are repaired by restoring from the changelog.
 */
function unreadable(err: StateStorageError): boolean {
  if (err.reason === StorageFailure.CORRUPTION) return true;
  const m = err.message;
  if (err.reason === StorageFailure.IO && /No such file/i.test(m)) return true;
  return /Column famil(y|ies) not (opened|found)/i.test(m);
}
