import { afterEach, describe, expect, it } from 'vitest';
import { TaskId } from '../../../src/runtime/TaskId.js';
import { Serdes } from '../../../src/serdes/Serdes.js';
import { RocksDB } from '../../../src/state/rocksdb/RocksDBBinding.js';
import { RocksDBSessionStore } from '../../../src/state/rocksdb/RocksDBSessionStore.js';
import type { RocksDBStoreBase } from '../../../src/state/rocksdb/RocksDBStoreBase.js';
import { RocksDBWindowStore } from '../../../src/state/rocksdb/RocksDBWindowStore.js';
import { keyRangeUpperBound } from '../../../src/state/rocksdb/SegmentedKeys.js';
import { StateDirectory } from '../../../src/state/rocksdb/TaskStateDirectory.js';
import { Stores } from '../../../src/state/Stores.js';
import { b, contextFor, tempStateDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function taskDir(): string {
  const t = tempStateDir();
  cleanups.push(t.cleanup);
  return new StateDirectory({ stateDir: t.root, applicationId: 'app' }).taskDirectory(new TaskId(0, 0));
}

function open<S extends RocksDBStoreBase>(dir: string, store: S): S {
  store.init(contextFor(dir), store);
  cleanups.push(() => store.close());
  return store;
}

/** Number of keys in a column family of a closed store's database. */
function countKeys(location: string, column: string, columns: string[]): number {
  const db = RocksDB.open(location, { columns: Object.fromEntries(columns.map((c) => [c, {}])) });
  try {
    const it = db.iterate({ column });
    let n = 0;
    for (let done = false; !done; ) {
      const c = it.next(1000);
      n += c.keys.length;
      done = c.done;
    }
    return n;
  } finally {
    db.close();
  }
}

const wins = (es: { key: Buffer; windowStart: number; value: Buffer }[]) => es.map((e) => [e.key.toString(), e.windowStart, e.value.toString()]);

describe('RocksDBWindowStore persistence', () => {
  it('a reopened store keeps committed windows, stream time and the duplicate seqnum', () => {
    const dir = taskDir();
    const w = open(dir, new RocksDBWindowStore('w', 1000, 10, true));
    w.put(b('a'), b('1'), 100);
    w.put(b('a'), b('2'), 100);
    w.commit(3);
    w.close();
    const again = open(dir, new RocksDBWindowStore('w', 1000, 10, true));
    expect(again.committedOffset()).toBe(3);
    expect(again.observedStreamTime).toBe(100);
    // a new duplicate gets the next seqnum: it must not overwrite an old one
    again.put(b('a'), b('3'), 100);
    again.commit(4);
    expect(wins(again.fetchRange(b('a'), b('a'), 0, 200, false))).toEqual([
      ['a', 100, '1'],
      ['a', 100, '2'],
      ['a', 100, '3'],
    ]);
  });

  it('stream time survives a reopen, so expiry continues where it was', () => {
    const dir = taskDir();
    const w = open(dir, new RocksDBWindowStore('w', 100, 10, false));
    w.put(b('a'), b('old'), 40);
    w.put(b('b'), b('new'), 139);
    w.commit(1);
    w.close();
    const again = open(dir, new RocksDBWindowStore('w', 100, 10, false));
    expect(again.fetch(b('a'), 40)).not.toBeNull();
    again.put(b('c'), b('x'), 140); // stream time 140: 40 expires
    expect(again.fetch(b('a'), 40)).toBeNull();
    expect(wins(again.all(false))).toEqual([
      ['b', 139, 'new'],
      ['c', 140, 'x'],
    ]);
  });

  it('rollback restores the committed stream time', () => {
    const w = open(taskDir(), new RocksDBWindowStore('w', 100, 10, false));
    w.put(b('a'), b('1'), 50);
    w.commit(1);
    w.put(b('b'), b('2'), 500); // would expire everything up to 400
    expect(w.fetch(b('a'), 50)).toBeNull();
    w.rollback();
    expect(w.observedStreamTime).toBe(50);
    expect(w.fetch(b('a'), 50)?.toString()).toBe('1');
  });

  it('deletes expired segments from RocksDB once the committed stream time passes them', () => {
    const dir = taskDir();
    const retention = 120_000; // segments of 60 s
    const w = open(dir, new RocksDBWindowStore('w', retention, 1000, false));
    for (let t = 0; t < 60_000; t += 1000) w.put(b(`k${t}`), b('v'), t);
    w.commit(1);
    w.put(b('late'), b('v'), 200_000); // live from 80 001: segment 0 (0..59 999) has expired
    expect(w.fetchAll(0, 300_000, false).map((e) => e.windowStart)).toEqual([200_000]);
    w.commit(2);
    const location = w.location;
    w.close();
    expect(countKeys(location, 'default', ['meta', 'time'])).toBe(1);
    expect(countKeys(location, 'time', ['meta', 'time'])).toBe(1);
  });

  it('the persistent supplier checks its arguments as the in-memory one does', () => {
    expect(() => Stores.persistentWindowStore('w', 10, 100, false)).toThrow(/must be no smaller than its window size/);
    expect(() => Stores.persistentWindowStore('w', -1, 0, false)).toThrow(/cannot be negative/);
    const s = Stores.persistentTimestampedWindowStore('w', 100, 10, true);
    expect([s.persistent, s.retentionPeriod, s.windowSize, s.retainDuplicates]).toEqual([true, 100, 10, true]);
    expect(Stores.persistentSessionStore('s', 5).persistent).toBe(true);
    expect(Stores.persistentTimestampedKeyValueStore('t').persistent).toBe(true);
  });

  it('a typed window store over RocksDB works through the builder, caching and logging', () => {
    const dir = taskDir();
    const store = Stores.timestampedWindowStoreBuilder(Stores.persistentTimestampedWindowStore('tw', 1000, 10, false), Serdes.String(), Serdes.Integer())
      .withCachingEnabled()
      .build();
    const context = contextFor(dir);
    store.init(context, store);
    cleanups.push(() => store.close());
    store.put('k', { value: 7, timestamp: 3 }, 0);
    store.flush();
    expect(store.fetch('k', 0)).toEqual({ value: 7, timestamp: 3 });
    expect(store.persistent).toBe(true);
  });
});

describe('RocksDBSessionStore persistence', () => {
  it('a reopened store keeps committed sessions and stream time; uncommitted removals are lost', () => {
    const dir = taskDir();
    const s = open(dir, new RocksDBSessionStore('s', 1000));
    s.put(b('a'), 0, 10, b('1'));
    s.put(b('a'), 20, 30, b('2'));
    s.commit(9);
    s.remove(b('a'), 0, 10);
    s.close();
    const again = open(dir, new RocksDBSessionStore('s', 1000));
    expect(again.committedOffset()).toBe(9);
    expect(again.observedStreamTime).toBe(30);
    expect(again.findSessions(b('a'), b('a'), 0, 100, false).map((e) => [e.start, e.end, e.value.toString()])).toEqual([
      [0, 10, '1'],
      [20, 30, '2'],
    ]);
  });

  it('deletes expired segments from RocksDB once the committed stream time passes them', () => {
    const dir = taskDir();
    const s = open(dir, new RocksDBSessionStore('s', 120_000));
    for (let t = 0; t < 60_000; t += 1000) s.put(b(`k${t}`), t, t, b('v'));
    s.commit(1);
    s.put(b('late'), 200_000, 200_000, b('v'));
    s.commit(2);
    const location = s.location;
    s.close();
    expect(countKeys(location, 'default', ['meta'])).toBe(1);
  });
});

describe('key range bounds without length prefixes', () => {
  it('bound every key in [keyFrom, keyTo] with every suffix up to the maximum, and no more than needed', () => {
    const keys = ['', 'a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab', 'b', 'b\u0000', 'b\u00ff'].map((k) => Buffer.from(k, 'latin1'));
    const suffixes = [Buffer.from([0, 0]), Buffer.from([0, 7]), Buffer.from([1, 0]), Buffer.from([0xff, 0xff])];
    for (const max of suffixes) {
      for (const from of [null, ...keys]) {
        for (const to of keys) {
          if (from !== null && Buffer.compare(from, to) > 0) continue;
          const bound = keyRangeUpperBound(from, to, max);
          for (const k of keys) {
            if ((from !== null && Buffer.compare(k, from) < 0) || Buffer.compare(k, to) > 0) continue;
            for (const s of suffixes) {
              if (Buffer.compare(s, max) > 0) continue;
              expect(Buffer.compare(Buffer.concat([k, s]), bound)).toBeLessThanOrEqual(0);
            }
          }
          // and it is tight: a prefix of keyTo followed by the maximum suffix
          const prefix = bound.subarray(0, bound.length - max.length);
          expect(bound.subarray(prefix.length).equals(max) && to.subarray(0, prefix.length).equals(prefix)).toBe(true);
        }
      }
    }
  });
});
