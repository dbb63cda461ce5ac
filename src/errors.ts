/**
 * One error hierarchy for kstreams. Every error has a stable `code` (for
 * programs) and a `retriable` flag (whether retrying the same operation can
 * succeed). Subclasses are named for the recovery they imply.
 */

/** Stable error codes, as an `as const` object with a derived union type. */
export const ErrorCode = {
  STREAMS: 'STREAMS',
  TOPOLOGY: 'TOPOLOGY',
  SERIALIZATION: 'SERIALIZATION',
  DESERIALIZATION: 'DESERIALIZATION',
  STATE_STORE_NOT_AVAILABLE: 'STATE_STORE_NOT_AVAILABLE',
  INVALID_STATE_STORE: 'INVALID_STATE_STORE',
  PROCESSOR_STATE: 'PROCESSOR_STATE',
  TASK_MIGRATED: 'TASK_MIGRATED',
  TASK_CORRUPTED: 'TASK_CORRUPTED',
  PROCESSING: 'PROCESSING',
  CONFIG: 'CONFIG',
  ILLEGAL_ARGUMENT: 'ILLEGAL_ARGUMENT',
  STATE_DIRECTORY_LOCKED: 'STATE_DIRECTORY_LOCKED',
  STATE_STORAGE: 'STATE_STORAGE',
  ROCKSDB_UNAVAILABLE: 'ROCKSDB_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error kstreams throws on purpose. */
export class StreamsError extends Error {
  readonly code: ErrorCode = ErrorCode.STREAMS;
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The topology is malformed; fix the code that builds it. Thrown at build()/describe() time. */
export class TopologyError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.TOPOLOGY;
}

/** A serializer failed to turn a value into bytes (for example a sink with a wrong serde). */
export class SerializationError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.SERIALIZATION;
}

/** Where a record came from, for error messages. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: number;
}

/** A record's key or value could not be deserialized. */
export class DeserializationError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.DESERIALIZATION;
  constructor(
    message: string,
    readonly origin?: RecordOrigin,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A store is not available right now (for example during a rebalance); retry later. */
export class StateStoreNotAvailableError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.STATE_STORE_NOT_AVAILABLE;
  override readonly retriable: boolean = true;
}

/** A store was used after it was closed, or is in a state that forbids the call. */
export class InvalidStateStoreError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.INVALID_STATE_STORE;
}

/** A processor or store was used outside of its lifecycle (e.g. forward() outside process()). */
export class ProcessorStateError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.PROCESSOR_STATE;
}

/** The task moved to another instance; close it as a zombie and rejoin. */
export class TaskMigratedError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.TASK_MIGRATED;
  override readonly retriable: boolean = true;
}

/** The task's state can no longer be trusted; wipe its stores and restore from the changelog. */
export class TaskCorruptedError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.TASK_CORRUPTED;
  override readonly retriable: boolean = true;
}

/** A user function threw while processing a record. The cause is the user's error. */
export class ProcessingError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.PROCESSING;
}

/** A configuration value is missing or invalid. */
export class ConfigError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.CONFIG;
}

/** A DSL or API method was called with an invalid argument (Java's IllegalArgumentException / NullPointerException). */
export class IllegalArgumentError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.ILLEGAL_ARGUMENT;
}

/** Who holds a task directory lock, as its lock file says. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** The worker thread inside that process (0 = main thread). */
  readonly threadId: number;
  /** When the lock was taken (ISO 8601). */
  readonly acquiredAt: string;
}

/**
 * Another live process (or another task instance in this process) holds the
 * task's state directory. Retriable: during a rebalance the previous owner
 * releases it when it closes the task, as with Kafka's LockException.
 */
export class StateDirectoryLockedError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.STATE_DIRECTORY_LOCKED;
  override readonly retriable: boolean = true;
  /** The locked task directory, when known. */
  readonly directory: string | undefined;
  readonly holder: LockHolder | undefined;
  constructor(message: string, options?: { directory?: string; holder?: LockHolder; cause?: unknown }) {
    super(message, options);
    this.directory = options?.directory;
    this.holder = options?.holder;
  }
}

/** What went wrong below a persistent store, as far as the storage engine tells. */
export const StorageFailure = {
  /** Stored data failed its checksums or cannot be parsed: wipe and restore (see TaskCorruptedError). */
  CORRUPTION: 'corruption',
  /** The storage engine's own lock on the files is taken. */
  LOCKED: 'locked',
  /** The disk or file system failed (full, permissions, missing files). */
  IO: 'io',
  /** The store's files were used after they were closed. */
  CLOSED: 'closed',
  OTHER: 'other',
} as const;
export type StorageFailure = (typeof StorageFailure)[keyof typeof StorageFailure];

/**
 * Reading or writing a persistent store's files failed (Kafka's
 * ProcessorStateException around a RocksDBException). `reason` says how.
 */
export class StateStorageError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.STATE_STORAGE;
  readonly reason: StorageFailure;
  constructor(message: string, options?: { reason?: StorageFailure; cause?: unknown }) {
    super(message, options);
    this.reason = options?.reason ?? StorageFailure.OTHER;
  }
}

/**
 * The native RocksDB binding cannot load on this platform; persistent stores
 * are unavailable. Use in-memory stores, or a supported platform.
 */
export class RocksDBUnavailableError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.ROCKSDB_UNAVAILABLE;
}

/** Throws an IllegalArgumentError naming `what` when `value` is null or undefined. */
export function requireNonNull<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) {
    throw new IllegalArgumentError(`${what} can't be null`);
  }
  return value;
}
