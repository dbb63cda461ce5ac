import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidStateStoreError } from '../../errors.js';
import type { StateStore, StoreContext } from '../StateStore.js';
import { checkPathComponent, storeDirectory, TaskDirectoryLock } from './TaskStateDirectory.js';

/** Options of a commit's RocksDB write. */
export interface CommitOptions {
  /** fsync the write-ahead log before returning. Default false: a process crash loses nothing, a power cut may lose the last commits (RocksDB then recovers a consistent earlier state). */
  readonly sync?: boolean;
}

/**
 * The commit interface of a persistent byte store (the bottom of a store
 * stack). Writes since the last commit stay in memory; commit() writes them
 * together with the changelog offset they reflect in one atomic RocksDB
 * WriteBatch, and rollback() drops them (KIP-892 transactional state stores).
 */
export interface PersistentBytesStore extends StateStore {
  /**
   * Writes the uncommitted data and `changelogOffset` atomically; null keeps
   * the stored offset (a store without a changelog, or with nothing new).
   * The offset is the last changelog record the data reflects (Kafka's
   * checkpoint convention: restore resumes at offset + 1).
   */
  commit(changelogOffset: number | null, options?: CommitOptions): void;
  /** The changelog offset of the last commit, or null (restore from the beginning). */
  committedOffset(): number | null;
  /** Drops the uncommitted writes (an aborted transaction). */
  rollback(): void;
  /** Approximate bytes of uncommitted writes held in memory; commit early when it grows. */
  uncommittedBytes(): number;
  /** True when open found unreadable data, moved it aside and started empty. */
  readonly corruptedAtOpen: boolean;
  /** Deletes the store's data and committed offset (a corrupted task); uncommitted writes go too. */
  wipe(): void;
}

/** Temporary task directories still on disk, removed at exit if their stores were never closed. */
const temporaryRoots = new Set<string>();
let exitHookInstalled = false;

function removeTemporaryRoots(): void {
  for (const root of temporaryRoots) rmSync(root, { recursive: true, force: true });
  temporaryRoots.clear();
}

/**
 * The persistent stores of one task, found from the task's StoreContext.
 * This is the runtime's handle on them: after initialising the task's stores,
 * `TaskStateStores.find(context)` lists them, commits them (step 3 of the
 * commit protocol), reads their committed offsets (where restore starts) and
 * says which were found corrupt.
 *
 * It also owns the task directory while stores are open: with
 * `context.stateDir` it takes the directory lock unless this process already
 * holds it for the runtime; without one (TopologyTestDriver) it makes a fresh
 * temporary directory for the task and deletes it when the last store closes.
 */
export class TaskStateStores {
  private static readonly byContext = new WeakMap<StoreContext, TaskStateStores>();
  private readonly stores = new Map<string, PersistentBytesStore>();
  private lock: TaskDirectoryLock | null = null;
  private temporaryRoot: string | null = null;
  private taskDirectory: string | null = null;

  private constructor(private readonly context: StoreContext) {}

  /** The registry of the task `context` belongs to (created on first use). */
  static of(context: StoreContext): TaskStateStores {
    let t = TaskStateStores.byContext.get(context);
    if (t === undefined) {
      t = new TaskStateStores(context);
      TaskStateStores.byContext.set(context, t);
    }
    return t;
  }

  /** The registry of the task, if one of its stores is persistent. */
  static find(context: StoreContext): TaskStateStores | undefined {
    return TaskStateStores.byContext.get(context);
  }

  /** The task directory in use, or null while no persistent store is open. */
  get directory(): string | null {
    return this.taskDirectory;
  }

  /** True when the directory is temporary (no state directory given). */
  get temporary(): boolean {
    return this.temporaryRoot !== null;
  }

  /** Registers an opening store; returns the directory it must open. */
  attach(store: PersistentBytesStore, warn?: (m: string) => void): string {
    const existing = this.stores.get(store.name);
    if (existing !== undefined && existing !== store) {
      throw new InvalidStateStoreError(`Task ${this.context.taskId.toString()} already has an open persistent store named ${store.name}`);
    }
    checkPathComponent(store.name, 'Store name');
    if (this.taskDirectory === null) this.taskDirectory = this.openTaskDirectory(warn);
    this.stores.set(store.name, store);
    return storeDirectory(this.taskDirectory, store.name);
  }

  /** Unregisters a closed store; the last one releases the directory. */
  detach(store: PersistentBytesStore): void {
    if (this.stores.get(store.name) !== store) return;
    this.stores.delete(store.name);
    if (this.stores.size > 0) return;
    this.lock?.release();
    this.lock = null;
    if (this.temporaryRoot !== null) {
      rmSync(this.temporaryRoot, { recursive: true, force: true });
      temporaryRoots.delete(this.temporaryRoot);
      this.temporaryRoot = null;
    }
    this.taskDirectory = null;
  }

  /** The open persistent stores, by name. */
  all(): ReadonlyMap<string, PersistentBytesStore> {
    return this.stores;
  }

  /**
   * Step 3 of a commit: writes each store's uncommitted data with the
   * changelog offset it now reflects (`offsets` by store name; a store not
   * named keeps its offset). One atomic WriteBatch per store: every store is
   * its own RocksDB, so a crash between two stores leaves one behind, and
   * restore replays its changelog from its own stored offset.
   */
  commit(offsets: ReadonlyMap<string, number> | Readonly<Record<string, number>> = new Map(), options: CommitOptions = {}): void {
    const get = offsets instanceof Map ? (n: string) => offsets.get(n) : (n: string) => (offsets as Record<string, number>)[n];
    for (const [name, store] of this.stores) store.commit(get(name) ?? null, options);
  }

  /** The committed changelog offset of a store, or null (none, or no such open store). */
  committedOffset(storeName: string): number | null {
    return this.stores.get(storeName)?.committedOffset() ?? null;
  }

  /** Stores whose data was unreadable at open and which started empty: restore them from offset 0. */
  corruptedStores(): string[] {
    return [...this.stores.values()].filter((s) => s.corruptedAtOpen).map((s) => s.name);
  }

  /** Drops every store's uncommitted writes. */
  rollback(): void {
    for (const s of this.stores.values()) s.rollback();
  }

  uncommittedBytes(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.uncommittedBytes();
    return n;
  }

  private openTaskDirectory(warn?: (m: string) => void): string {
    const stateDir = this.context.stateDir;
    if (stateDir !== undefined) {
      const held = TaskDirectoryLock.heldInProcess(stateDir);
      // the runtime may have locked it (owner null); another task instance here may not
      if (held === undefined || (held.owner !== null && held.owner !== this)) {
        this.lock = TaskDirectoryLock.acquire(stateDir, { owner: this, warn });
      }
      return stateDir;
    }
    if (!exitHookInstalled) {
      process.once('exit', removeTemporaryRoots);
      exitHookInstalled = true;
    }
    const root = mkdtempSync(join(tmpdir(), 'kstreams-'));
    temporaryRoots.add(root);
    this.temporaryRoot = root;
    const dir = join(root, checkPathComponent(this.context.applicationId, 'Application id'), checkPathComponent(this.context.taskId.toString(), 'Task id'));
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}
