import { createRequire } from 'node:module';
import { RocksDBUnavailableError, StateStorageError, StorageFailure } from '../../errors.js';
import { NativeOpener } from './NativeOpener.js';

/**
 * The only module that touches the RocksDB binding (@nxtedition/rocksdb,
 * pinned to exactly 12.2.12 in package.json), behind a small typed interface
 * of our own: open with column families, synchronous multi-get, synchronous
 * range reads in chunks, synchronous atomic write batches that may span column
 * families, delete-range, properties, close.
 *
 * Why the raw native functions rather than the RocksLevel class: kstreams
 * processes records synchronously, and this binding is the only one on npm
 * with synchronous reads and writes. RocksLevel exposes them as underscore
 * methods (_getManySync, iterator _nextvSync, batch _writeSync) that are thin
 * calls to the functions used here (db_get_many_sync, iterator_nextv_sync,
 * batch_write); but RocksLevel opens only asynchronously and refuses to use a
 * database it did not open itself (see NativeOpener for how we open
 * synchronously). Any of this is private API, which is why the version is
 * pinned exactly: re-check this file when upgrading.
 *
 * Safety: the native code does not check for use after close (a read on a
 * closed database dereferences a null pointer), so every call here checks
 * `closed` first, and closing first closes the iterators still open.
 */

/** Opaque handles of the native layer. */
type NativeDb = { readonly __nativeDb: never };
type NativeColumn = { readonly __nativeColumn: never };
type NativeIterator = { readonly __nativeIterator: never };
type NativeBatch = { readonly __nativeBatch: never };
type ColumnOption = { readonly column: NativeColumn } | undefined;

interface NativeBinding {
  db_init(locationOrHandle: string | bigint): NativeDb;
  db_open(db: NativeDb, options: object, callback: (err: Error | null) => void): Record<string, NativeColumn> | undefined;
  db_get_many_sync(db: NativeDb, keys: readonly Buffer[], options: ColumnOption): (Buffer | undefined | null)[];
  db_get_property(db: NativeDb, property: string): string;
  db_clear(db: NativeDb, options: object): void;
  iterator_init(db: NativeDb, options: object): NativeIterator;
  iterator_nextv_sync(it: NativeIterator, count: number): { rows: (Buffer | undefined)[]; finished: boolean };
  iterator_close(it: NativeIterator): void;
  batch_init(): NativeBatch;
  batch_put(batch: NativeBatch, key: Buffer, value: Buffer, options: ColumnOption): void;
  batch_del(batch: NativeBatch, key: Buffer, options: ColumnOption): void;
  batch_clear(batch: NativeBatch): void;
  batch_count(batch: NativeBatch): number;
  batch_write(db: NativeDb, batch: NativeBatch, options: { sync: boolean }): void;
}

/** The package this module wraps; named once so a search finds every use. */
const PACKAGE = '@nxtedition/rocksdb';
const PACKAGE_VERSION = '12.2.12';

let native: { binding: NativeBinding; opener: NativeOpener } | null = null;

/** Loads the native module once; on failure explains which platforms have a prebuilt binary. */
function loadNative(): { binding: NativeBinding; opener: NativeOpener } {
  if (native !== null) return native;
  const require = createRequire(import.meta.url);
  let bindingPath: string;
  let binding: NativeBinding;
  try {
    // binding.js is node-gyp-build over the prebuilt binary in the package tarball
    bindingPath = require.resolve(`${PACKAGE}/binding.js`);
    binding = require(bindingPath) as NativeBinding;
  } catch (cause) {
    throw new RocksDBUnavailableError(unavailableMessage(cause), { cause });
  }
  native = { binding, opener: new NativeOpener(bindingPath) };
  return native;
}

/** Names the platform requirements and this process's platform. */
export function unavailableMessage(cause: unknown): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const libc = process.platform === 'linux' ? (header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'not glibc (musl?)') : '';
  return (
    `Persistent (RocksDB) state stores are not available: the native module of ${PACKAGE} ${PACKAGE_VERSION} could not be loaded. ` +
    `It ships prebuilt binaries for linux-x64 (glibc) and darwin-arm64 only and needs Node.js >= 17 (N-API 8); ` +
    `this process is ${process.platform}-${process.arch}${libc ? ` (${libc})` : ''} on Node.js ${process.version}. ` +
    `Use Stores.inMemory...() suppliers here, run on a supported platform, or build the binding from source ` +
    `(npm rebuild ${PACKAGE} --build-from-source, with a C++ toolchain). Cause: ${cause instanceof Error ? cause.message : String(cause)}`
  );
}

/** Options of one column family. */
export interface ColumnOptions {
  /** Block cache of this column family, in bytes; 0 turns it off. Default 8 MiB. */
  readonly blockCacheBytes?: number;
  /** ZSTD-compress SST files. Default false (Kafka Streams also runs RocksDB uncompressed). */
  readonly compression?: boolean;
}

export interface RocksDBOpenOptions {
  /** Column families besides 'default', with their options; missing ones are created. */
  readonly columns?: Readonly<Record<string, ColumnOptions>>;
  /** Options of the 'default' column family. */
  readonly defaultColumn?: ColumnOptions;
  /** Compress the write-ahead log. Default false: it costs CPU on every commit for little gain with small batches. */
  readonly walCompression?: boolean;
}

/** Key bounds of a range read; at most one lower and one upper bound. */
export interface RangeOptions {
  readonly column?: string;
  readonly gte?: Buffer;
  readonly gt?: Buffer;
  readonly lte?: Buffer;
  readonly lt?: Buffer;
  readonly reverse?: boolean;
}

/** A chunk of a range read. `done` means the range has no more entries. */
export interface RangeChunk {
  readonly keys: Buffer[];
  readonly values: Buffer[];
  readonly done: boolean;
}

function nativeColumnOptions(o: ColumnOptions | undefined): Record<string, unknown> {
  return { cacheSize: o?.blockCacheBytes ?? 8 * 1024 * 1024, compression: o?.compression ?? false };
}

/** Turns a binding error into a StateStorageError with a reason. */
export function storageError(cause: unknown, what: string): StateStorageError {
  if (cause instanceof StateStorageError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  let reason: StorageFailure = StorageFailure.OTHER;
  if (code === 'LEVEL_CORRUPTION') reason = StorageFailure.CORRUPTION;
  else if (code === 'LEVEL_LOCKED') reason = StorageFailure.LOCKED;
  else if (code === 'LEVEL_IO_ERROR') reason = StorageFailure.IO;
  return new StateStorageError(`RocksDB ${what} failed: ${message}`, { reason, cause });
}

/** A RocksDB database, open and used synchronously on the calling thread. */
export class RocksDB {
  private readonly binding: NativeBinding;
  private readonly opener: NativeOpener;
  private readonly db: NativeDb;
  private readonly columns = new Map<string, ColumnOption>();
  private readonly iterators = new Set<RocksDBIterator>();
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly handle: bigint,
    db: NativeDb,
    columns: Record<string, NativeColumn>,
  ) {
    const n = loadNative();
    this.binding = n.binding;
    this.opener = n.opener;
    this.db = db;
    for (const [name, column] of Object.entries(columns)) this.columns.set(name, name === 'default' ? undefined : { column });
  }

  /** Opens (creating if missing) the database in directory `location`. Throws StateStorageError (reason says why). */
  static open(location: string, options: RocksDBOpenOptions = {}): RocksDB {
    const { binding, opener } = loadNative();
    const columns: Record<string, unknown> = { default: nativeColumnOptions(options.defaultColumn) };
    for (const [name, o] of Object.entries(options.columns ?? {})) columns[name] = nativeColumnOptions(o);
    let handle: bigint;
    try {
      handle = opener.open(location, { createIfMissing: true, walCompression: options.walCompression ?? false, columns });
    } catch (e) {
      throw storageError(e, `open of ${location}`);
    }
    // the database is open already, so db_open returns its column handles synchronously
    try {
      const attached = binding.db_init(handle);
      const handles = binding.db_open(attached, {}, () => {});
      if (handles === undefined) throw new StateStorageError(`RocksDB at ${location} did not attach synchronously`);
      return new RocksDB(location, handle, attached, handles);
    } catch (e) {
      opener.close(handle);
      throw storageError(e, `open of ${location}`);
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  hasColumn(name: string): boolean {
    return this.columns.has(name);
  }

  /** The value of `key`, or undefined. */
  get(key: Buffer, column = 'default'): Buffer | undefined {
    return this.getMany([key], column)[0];
  }

  /** The values of `keys` in one MultiGet; undefined where absent. */
  getMany(keys: readonly Buffer[], column = 'default'): (Buffer | undefined)[] {
    const opts = this.column(column);
    try {
      // null would mean a timed-out read; no deadline is set, so it does not happen
      return this.binding.db_get_many_sync(this.db, keys, opts) as (Buffer | undefined)[];
    } catch (e) {
      throw storageError(e, `read of ${this.location}`);
    }
  }

  /** Starts a range read; read it with next() in chunks and close it when done. Sees a snapshot taken now. */
  iterate(range: RangeOptions): RocksDBIterator {
    const opts = this.column(range.column ?? 'default');
    const nativeOptions: Record<string, unknown> = {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      reverse: range.reverse === true,
      // range reads of stream processing (window fetches) repeat: keep their blocks cached
      fillCache: true,
      ...opts,
    };
    if (range.gte !== undefined) nativeOptions.gte = range.gte;
    else if (range.gt !== undefined) nativeOptions.gt = range.gt;
    if (range.lte !== undefined) nativeOptions.lte = range.lte;
    else if (range.lt !== undefined) nativeOptions.lt = range.lt;
    let it: NativeIterator;
    try {
      it = this.binding.iterator_init(this.db, nativeOptions);
    } catch (e) {
      throw storageError(e, `range read of ${this.location}`);
    }
    const iterator = new RocksDBIterator(this.binding, it, this.location, (x) => this.iterators.delete(x));
    this.iterators.add(iterator);
    return iterator;
  }

  /** A new, empty write batch for this database. */
  batch(): RocksDBWriteBatch {
    this.checkOpen();
    return new RocksDBWriteBatch(this.binding, (name) => this.column(name));
  }

  /** Writes the batch atomically (all column families or none), then empties it. `sync` fsyncs the WAL first. */
  write(batch: RocksDBWriteBatch, options: { sync?: boolean } = {}): void {
    this.checkOpen();
    try {
      this.binding.batch_write(this.db, batch.native(), { sync: options.sync === true });
    } catch (e) {
      throw storageError(e, `write to ${this.location}`);
    } finally {
      batch.clear();
    }
  }

  /** Deletes keys in [from, to) of one column family (a range tombstone, written right away). */
  deleteRange(column: string, from: Buffer, to: Buffer): void {
    const opts = this.column(column);
    try {
      this.binding.db_clear(this.db, { ...opts, gte: from, lt: to });
    } catch (e) {
      throw storageError(e, `delete-range in ${this.location}`);
    }
  }

  /** A RocksDB property of the default column family, e.g. 'rocksdb.estimate-num-keys'. */
  getProperty(name: string): string {
    this.checkOpen();
    return this.binding.db_get_property(this.db, name);
  }

  /** Closes open iterators, then the database (its WAL is flushed to the OS). Idempotent. */
  close(): void {
    if (this.closed) return;
    for (const it of [...this.iterators]) it.close();
    this.closed = true;
    try {
      this.opener.close(this.handle);
    } catch (e) {
      throw storageError(e, `close of ${this.location}`);
    }
  }

  private column(name: string): ColumnOption {
    this.checkOpen();
    const opts = this.columns.get(name);
    if (opts === undefined && name !== 'default') throw new StateStorageError(`RocksDB at ${this.location} has no column family ${name}`);
    return opts;
  }

  private checkOpen(): void {
    if (this.closed) throw new StateStorageError(`RocksDB at ${this.location} is closed`, { reason: StorageFailure.CLOSED });
  }
}

/** A chunked, synchronous range read over a snapshot. */
export class RocksDBIterator {
  private finished = false;

  constructor(
    private readonly binding: NativeBinding,
    private readonly it: NativeIterator,
    private readonly location: string,
    private readonly onClose: (it: RocksDBIterator) => void,
  ) {}

  /** Up to `max` entries; closes itself after the last chunk. */
  next(max: number): RangeChunk {
    if (this.finished) return { keys: [], values: [], done: true };
    let result: { rows: (Buffer | undefined)[]; finished: boolean };
    try {
      result = this.binding.iterator_nextv_sync(this.it, max);
    } catch (e) {
      this.close();
      throw storageError(e, `range read of ${this.location}`);
    }
    const n = result.rows.length >> 1;
    const keys = new Array<Buffer>(n);
    const values = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) {
      keys[i] = result.rows[2 * i] as Buffer;
      values[i] = result.rows[2 * i + 1] as Buffer;
    }
    if (result.finished) this.close();
    return { keys, values, done: result.finished };
  }

  /** Releases the native iterator. Idempotent. */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.binding.iterator_close(this.it);
    this.onClose(this);
  }
}

/** An atomic write batch; entries may go to different column families of one database. */
export class RocksDBWriteBatch {
  private readonly batch: NativeBatch;

  constructor(
    private readonly binding: NativeBinding,
    private readonly column: (name: string) => ColumnOption,
  ) {
    this.batch = binding.batch_init();
  }

  put(key: Buffer, value: Buffer, column = 'default'): void {
    this.binding.batch_put(this.batch, key, value, column === 'default' ? undefined : this.column(column));
  }

  delete(key: Buffer, column = 'default'): void {
    this.binding.batch_del(this.batch, key, column === 'default' ? undefined : this.column(column));
  }

  get size(): number {
    return this.binding.batch_count(this.batch);
  }

  clear(): void {
    this.binding.batch_clear(this.batch);
  }

  /** The native batch, for RocksDB.write only. */
  native(): NativeBatch {
    return this.batch;
  }
}
