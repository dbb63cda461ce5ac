import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IllegalArgumentError, type LockHolder, StateDirectoryLockedError } from '../../errors.js';

/**
 * Where persistent state lives, in Kafka Streams' layout:
 *
 *   <stateDir>/<applicationId>/<taskId>/.lock
 *   <stateDir>/<applicationId>/<taskId>/rocksdb/<storeName>/   (one RocksDB per store)
 *
 * and the task directory lock. Kafka locks with an OS file lock, which the OS
 * releases when the process dies; Node has no such API, so the lock here is a
 * lock file naming its holder (pid, host, thread, start time), created
 * atomically, and a lock whose holder is dead is stale and taken over. RocksDB's
 * own LOCK file (an OS lock) stays underneath as a backstop: no two live
 * handles ever open one store directory, even if a lock file were lost.
 */

/** Kafka's default is `${java.io.tmpdir}/kafka-streams`. */
export const DEFAULT_STATE_DIR = join(tmpdir(), 'kstreams');
export const LOCK_FILE_NAME = '.lock';
export const ROCKSDB_DIR_NAME = 'rocksdb';

/** Rejects names that would escape or confuse the layout (they become path components). */
export function checkPathComponent(name: string, what: string): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new IllegalArgumentError(`${what} '${String(name)}' cannot be used as a directory name`);
  }
  return name;
}

/** The directory of one persistent store inside a task directory. */
export function storeDirectory(taskDirectory: string, storeName: string): string {
  return join(taskDirectory, ROCKSDB_DIR_NAME, checkPathComponent(storeName, 'Store name'));
}

/** The state directory of one application: task directories and their locks. */
export class StateDirectory {
  readonly stateDir: string;
  readonly applicationDirectory: string;

  constructor(options: { readonly applicationId: string; readonly stateDir?: string }) {
    this.stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
    this.applicationDirectory = join(this.stateDir, checkPathComponent(options.applicationId, 'Application id'));
  }

  /** `<stateDir>/<applicationId>/<taskId>` (not created). */
  taskDirectory(taskId: { toString(): string }): string {
    return join(this.applicationDirectory, checkPathComponent(taskId.toString(), 'Task id'));
  }

  /** Creates the task directory if needed and locks it; throws StateDirectoryLockedError when someone else holds it. */
  lockTask(taskId: { toString(): string }, options: LockOptions = {}): TaskDirectoryLock {
    return TaskDirectoryLock.acquire(this.taskDirectory(taskId), options);
  }

  /** Names of the task directories present on disk (tasks with local state). */
  taskDirectoryNames(): string[] {
    try {
      return readdirSync(this.applicationDirectory, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  }
}

export interface LockOptions {
  /** Who holds the lock inside this process (a task's store registry); null for the runtime. */
  readonly owner?: object | null;
  /** Where warnings go (stale lock taken over). Default console.warn. */
  readonly warn?: (message: string) => void;
}

/** Locks held by this thread, by real path: a second acquire fails without touching the file. */
const heldHere = new Map<string, TaskDirectoryLock>();

/** A held task directory lock; release it when the task closes. */
export class TaskDirectoryLock {
  private released = false;

  private constructor(
    readonly directory: string,
    readonly lockFile: string,
    readonly owner: object | null,
    private readonly record: string,
    private readonly key: string,
  ) {}

  /** Takes the lock of `directory` (created if missing), taking over a stale one. */
  static acquire(directory: string, options: LockOptions = {}): TaskDirectoryLock {
    const warn = options.warn ?? ((m: string) => console.warn(m));
    mkdirSync(directory, { recursive: true });
    const key = realpathSync(directory);
    const lockFile = join(directory, LOCK_FILE_NAME);
    if (heldHere.has(key)) throw lockedError(directory, lockFile, ownHolder(), true);
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = JSON.stringify({ ...ownHolder(), incarnation: incarnationOf(process.pid) });
      if (createExclusive(lockFile, record)) {
        const lock = new TaskDirectoryLock(directory, lockFile, options.owner ?? null, record, key);
        heldHere.set(key, lock);
        return lock;
      }
      const raw = readOrNull(lockFile);
      if (raw === null) continue; // released meanwhile: try again
      const holder = parseHolder(raw);
      const verdict = holder === null ? 'unreadable' : liveness(holder);
      if (verdict === 'alive') throw lockedError(directory, lockFile, holder as LockHolder, false);
      if (takeOver(lockFile, raw)) {
        warn(`kstreams: took over the stale lock of ${directory} (${describeStale(holder, verdict)})`);
      }
    }
    throw new StateDirectoryLockedError(`Could not lock ${directory}: its lock file ${lockFile} keeps changing`, { directory });
  }

  /** The lock this thread holds on `directory`, if any. */
  static heldInProcess(directory: string): TaskDirectoryLock | undefined {
    try {
      return heldHere.get(realpathSync(directory));
    } catch {
      return undefined;
    }
  }

  /** Who the lock file of `directory` names, or null when there is none (or it is unreadable). */
  static holderOf(directory: string): LockHolder | null {
    const raw = readOrNull(join(directory, LOCK_FILE_NAME));
    return raw === null ? null : parseHolder(raw);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Deletes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.key);
    // someone may have taken a lock they judged stale; never delete theirs
    if (readOrNull(this.lockFile) === this.record) {
      try {
        unlinkSync(this.lockFile);
      } catch {
        // already gone
      }
    }
  }
}

function ownHolder(): LockHolder {
  return { pid: process.pid, hostname: hostname(), threadId, acquiredAt: new Date().toISOString() };
}

function lockedError(directory: string, lockFile: string, holder: LockHolder, inProcess: boolean): StateDirectoryLockedError {
  const who = inProcess
    ? `this process (pid ${holder.pid}) for another task instance`
    : `process ${holder.pid} on host ${holder.hostname}${holder.threadId ? ` (thread ${holder.threadId})` : ''} since ${holder.acquiredAt}`;
  return new StateDirectoryLockedError(
    `State directory ${directory} is locked by ${who} (lock file ${lockFile}). ` +
      'Only one instance of a task may use its state directory: give each running instance of the application ' +
      'its own state directory, or stop the other process.',
    { directory, holder },
  );
}

/** Creates `file` with `content` only if it does not exist; the content is complete the moment the file appears. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}`;
  writeWhole(tmp, content, 'wx');
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // file systems without hard links: exclusive create, then write (a reader may briefly see it empty)
    try {
      writeWhole(file, content, 'wx');
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean
    }
  }
}

function writeWhole(file: string, content: string, flags: string): void {
  const fd = openSync(file, flags);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function parseHolder(raw: string): (LockHolder & { incarnation?: string | null }) | null {
  try {
    const h = JSON.parse(raw) as Record<string, unknown>;
    if (typeof h.pid !== 'number' || typeof h.hostname !== 'string') return null;
    return {
      pid: h.pid,
      hostname: h.hostname,
      threadId: typeof h.threadId === 'number' ? h.threadId : 0,
      acquiredAt: typeof h.acquiredAt === 'string' ? h.acquiredAt : '?',
      incarnation: typeof h.incarnation === 'string' ? h.incarnation : null,
    };
  } catch {
    return null;
  }
}

type Verdict = 'alive' | 'dead' | 'reused-pid' | 'foreign-host' | 'leftover' | 'unreadable';

/**
 * Whether the holder still runs. A pid alone can mislead: pids are reused
 * (in containers the application is often pid 1 on every start), so on Linux
 * the lock also records the boot id and the process start time, and a pid
 * with another start time is another process.
 *
 * A lock from another host is treated as stale (with a warning): state
 * directories are local to one machine (RocksDB does not support network file
 * systems), so it comes from a renamed or re-created host, typically a
 * container with a persistent volume. RocksDB's own OS lock still refuses a
 * second live opener of a store on the same file system.
 */
function liveness(h: LockHolder & { incarnation?: string | null }): Verdict {
  if (h.hostname !== hostname()) return 'foreign-host';
  const current = incarnationOf(h.pid);
  if (h.incarnation && current && h.incarnation !== current) return 'reused-pid';
  if (h.pid === process.pid) {
    // same process incarnation: another thread's lock is live; our own thread's is a leftover (we hold none)
    return h.threadId !== threadId ? 'alive' : 'leftover';
  }
  return processAlive(h.pid) ? 'alive' : 'dead';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** `<boot id>:<start time in clock ticks>` of a Linux process, or null elsewhere or when unknown. */
function incarnationOf(pid: number): string | null {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19]; // field 22 of proc(5)
    return startTime === undefined ? null : `${bootId}:${startTime}`;
  } catch {
    return null;
  }
}

/**
 * Replaces a stale lock file. Renaming it aside first makes the takeover
 * safe against a racing taker: if what we moved is not the stale lock we
 * judged (someone replaced it meanwhile), we put it back.
 */
function takeOver(lockFile: string, staleRaw: string): boolean {
  const aside = `${lockFile}.stale.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return false; // gone already
  }
  const moved = readOrNull(aside);
  if (moved !== staleRaw && moved !== null) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // the slot was taken again; the next attempt re-examines it
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

function describeStale(h: LockHolder | null, verdict: Verdict): string {
  if (h === null) return 'its lock file was unreadable';
  const who = `process ${h.pid} on host ${h.hostname} since ${h.acquiredAt}`;
  switch (verdict) {
    case 'foreign-host':
      return `${who}: another host name; state directories are local to one machine`;
    case 'reused-pid':
      return `${who}: that process is gone (its pid now belongs to another process)`;
    case 'leftover':
      return `${who}: left behind by this thread`;
    default:
      return `${who}: that process is gone`;
  }
}
