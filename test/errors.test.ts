import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import {
  ConfigError,
  DeserializationError,
  ErrorCode,
  IllegalArgumentError,
  InvalidStateStoreError,
  ProcessingError,
  ProcessorStateError,
  RocksDBUnavailableError,
  SerializationError,
  StateDirectoryLockedError,
  StateStorageError,
  StateStoreNotAvailableError,
  StreamsError,
  TaskCorruptedError,
  TaskMigratedError,
  TopologyError,
} from '../src/errors.js';

describe('error hierarchy', () => {
  const cases: [new (m: string) => StreamsError, ErrorCode, boolean][] = [
    [StreamsError, ErrorCode.STREAMS, false],
    [TopologyError, ErrorCode.TOPOLOGY, false],
    [SerializationError, ErrorCode.SERIALIZATION, false],
    [DeserializationError, ErrorCode.DESERIALIZATION, false],
    [StateStoreNotAvailableError, ErrorCode.STATE_STORE_NOT_AVAILABLE, true],
    [InvalidStateStoreError, ErrorCode.INVALID_STATE_STORE, false],
    [ProcessorStateError, ErrorCode.PROCESSOR_STATE, false],
    [TaskMigratedError, ErrorCode.TASK_MIGRATED, true],
    [TaskCorruptedError, ErrorCode.TASK_CORRUPTED, true],
    [ProcessingError, ErrorCode.PROCESSING, false],
    [ConfigError, ErrorCode.CONFIG, false],
    [IllegalArgumentError, ErrorCode.ILLEGAL_ARGUMENT, false],
    [StateDirectoryLockedError, ErrorCode.STATE_DIRECTORY_LOCKED, true],
    [StateStorageError, ErrorCode.STATE_STORAGE, false],
    [RocksDBUnavailableError, ErrorCode.ROCKSDB_UNAVAILABLE, false],
  ];

  it.each(cases)('%o has its own stable code and retriable flag', (Cls, code, retriable) => {
    const e = new Cls('boom');
    expect(e).toBeInstanceOf(StreamsError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(retriable);
    expect(e.name).toBe(Cls.name);
    expect(e.message).toBe('boom');
  });

  it('every code is used by exactly one class', () => {
    const codes = cases.map(([, c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes)).toEqual(new Set(Object.values(ErrorCode)));
  });

  it('the public entry exports every error class', () => {
    for (const [Cls] of cases) expect((api as Record<string, unknown>)[Cls.name]).toBe(Cls);
  });

  it('StateDirectoryLockedError names the directory and the holder; StateStorageError says why', () => {
    const holder = { pid: 42, hostname: 'h', threadId: 0, acquiredAt: '2024-01-01T00:00:00.000Z' };
    const locked = new StateDirectoryLockedError('locked', { directory: '/d', holder });
    expect(locked.directory).toBe('/d');
    expect(locked.holder).toEqual(holder);
    expect(new StateStorageError('x').reason).toBe('other');
    expect(new StateStorageError('x', { reason: 'corruption' }).reason).toBe('corruption');
  });

  it('DeserializationError keeps the record origin and the cause', () => {
    const cause = new Error('bad bytes');
    const e = new DeserializationError('x', { topic: 't', partition: 1, offset: 7 }, { cause });
    expect(e.origin).toEqual({ topic: 't', partition: 1, offset: 7 });
    expect(e.cause).toBe(cause);
  });
});
