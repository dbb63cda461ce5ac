import { InvalidStateStoreError, StateStorageError, StorageFailure, TaskCorruptedError } from '../../errors.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { type RocksDBStoreOptions, RocksDBStoreCore } from './RocksDBStoreCore.js';
import { type CommitOptions, type PersistentBytesStore, TaskStateStores } from './TaskStateStores.js';

/**
 * The lifecycle and commit plumbing the three RocksDB stores share: open in
 * the task's directory on init (registering with the task's persistent
 * stores), an uncommitted overlay that subclasses keep and write on commit,
 * close dropping what was not committed.
 */
export abstract class RocksDBStoreBase implements PersistentBytesStore {
  readonly persistent = true;
  protected readonly core: RocksDBStoreCore;
  private task: TaskStateStores | null = null;
  private open = false;

  constructor(
    readonly name: string,
    kind: string,
    columns: readonly string[],
    protected readonly options: RocksDBStoreOptions,
  ) {
    this.core = new RocksDBStoreCore(name, kind, columns, options);
  }

  /** Opens the store on first init; a second init (another layer stack over the same store) only registers. */
  init(context: StoreContext, root: StateStore): void {
    if (!this.open) {
      const task = TaskStateStores.of(context);
      const dir = task.attach(this, this.options.warn);
      try {
        this.core.open(dir);
        this.afterOpen();
      } catch (e) {
        this.core.close();
        task.detach(this);
        throw e;
      }
      this.task = task;
      this.open = true;
    }
    context.register(root);
  }

  /** Writes nothing: the layers above write into the overlay on flush, and commit() writes to RocksDB (design.md, commit step 3). */
  flush(): void {}

  /** Closes the database; uncommitted writes are dropped (a task commits before a clean close). Idempotent. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.beforeClose();
    this.clearOverlay();
    try {
      this.core.close();
    } finally {
      this.task?.detach(this);
      this.task = null;
    }
  }

  isOpen(): boolean {
    return this.open;
  }

  get corruptedAtOpen(): boolean {
    return this.core.corruptedAtOpen;
  }

  /** The store's directory (`<taskDir>/rocksdb/<name>`). */
  get location(): string {
    return this.core.location;
  }

  committedOffset(): number | null {
    this.checkOpen();
    return this.core.committedOffset();
  }

  abstract commit(changelogOffset: number | null, options?: CommitOptions): void;
  abstract rollback(): void;
  abstract uncommittedBytes(): number;

  /** Deletes all data, committed or not; the store stays open, empty, with no committed offset. */
  wipe(): void {
    this.checkOpen();
    this.beforeClose();
    this.clearOverlay();
    this.core.wipe();
    this.afterOpen();
  }

  /** Reads store metadata after the database opened (or was wiped). */
  protected afterOpen(): void {}
  /** Releases read resources (open iterators) before the database closes. */
  protected beforeClose(): void {}
  protected abstract clearOverlay(): void;

  /** Runs a RocksDB read; unreadable data means the task's state can no longer be trusted (wipe and restore). */
  protected read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StateStorageError && e.reason === StorageFailure.CORRUPTION) {
        throw new TaskCorruptedError(`Store ${this.name} at ${this.core.location} has corrupt data: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  protected checkOpen(): void {
    if (!this.open) throw new InvalidStateStoreError(`Store ${this.name} is closed`);
  }
}
