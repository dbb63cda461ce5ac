import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateStoreError } from '../../../src/errors.js';
import { TaskId } from '../../../src/runtime/TaskId.js';
import { Serdes } from '../../../src/serdes/Serdes.js';
import { RocksDBKeyValueStore } from '../../../src/state/rocksdb/RocksDBKeyValueStore.js';
import { RocksDBWindowStore } from '../../../src/state/rocksdb/RocksDBWindowStore.js';
import { StateDirectory } from '../../../src/state/rocksdb/TaskStateDirectory.js';
import { TaskStateStores } from '../../../src/state/rocksdb/TaskStateStores.js';
import type { StateStore } from '../../../src/state/StateStore.js';
import { Stores } from '../../../src/state/Stores.js';
import { b, contextFor, entries, str, tempStateDir, warnings } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A state directory for the test, and the task directory of task 0_0 in it. */
function taskDir(): string {
  const t = tempStateDir();
  cleanups.push(t.cleanup);
  return new StateDirectory({ stateDir: t.root, applicationId: 'app' }).taskDirectory(new TaskId(0, 0));
}

function openKv(dir: string | undefined, name = 's', warn?: (m: string) => void) {
  const context = contextFor(dir);
  const store = new RocksDBKeyValueStore(name, warn ? { warn } : {});
  store.init(context, store);
  cleanups.push(() => store.close());
  return { store, context };
}

describe('RocksDBKeyValueStore: commits', () => {
  it('writes data and the changelog offset in one commit and reads both back after reopening', () => {
    const dir = taskDir();
    const first = openKv(dir).store;
    expect(first.committedOffset()).toBeNull();
    first.put(b('a'), b('1'));
    first.put(b('b'), b('2'));
    first.commit(41);
    expect(first.committedOffset()).toBe(41);
    expect(first.uncommittedBytes()).toBe(0);
    first.close();

    const again = openKv(dir).store;
    expect(again.committedOffset()).toBe(41);
    expect(str(again.get(b('a')))).toBe('1');
    expect(entries(again.all())).toEqual([['a', '1'], ['b', '2']]);
  });

  it('a reopened store sees committed data only: uncommitted writes are lost, as in a crash', () => {
    const dir = taskDir();
    const s = openKv(dir).store;
    s.put(b('a'), b('1'));
    s.put(b('c'), b('3'));
    s.commit(7);
    s.put(b('b'), b('2'));
    s.delete(b('a'));
    s.put(b('c'), b('33'));
    expect(entries(s.all())).toEqual([['b', '2'], ['c', '33']]);
    expect(s.uncommittedBytes()).toBeGreaterThan(0);
    s.close(); // no commit: the overlay is gone, like a crash before commit step 3

    const again = openKv(dir).store;
    expect(again.committedOffset()).toBe(7);
    expect(entries(again.all())).toEqual([['a', '1'], ['c', '3']]);
  });

  it('rollback drops uncommitted writes; commit with a null offset keeps the stored one', () => {
    const { store } = openKv(taskDir());
    store.put(b('a'), b('1'));
    store.commit(3);
    store.put(b('a'), b('2'));
    store.rollback();
    expect(str(store.get(b('a')))).toBe('1');
    store.put(b('b'), b('9'));
    store.commit(null);
    expect(store.committedOffset()).toBe(3);
    expect(str(store.get(b('b')))).toBe('9');
  });

  it('the task registry commits every store with its own offset and reads offsets back by store name', () => {
    const dir = taskDir();
    const context = contextFor(dir);
    const s1 = new RocksDBKeyValueStore('one');
    const s2 = new RocksDBKeyValueStore('two');
    s1.init(context, s1);
    s2.init(context, s2);
    cleanups.push(() => s1.close(), () => s2.close());
    const task = TaskStateStores.find(context);
    expect(task?.directory).toBe(dir);
    expect([...(task?.all().keys() ?? [])]).toEqual(['one', 'two']);
    s1.put(b('k'), b('v1'));
    s2.put(b('k'), b('v2'));
    expect(task?.uncommittedBytes()).toBeGreaterThan(0);
    task?.commit(new Map([['one', 10], ['two', 20]]));
    expect(task?.committedOffset('one')).toBe(10);
    expect(task?.committedOffset('two')).toBe(20);
    expect(task?.committedOffset('none')).toBeNull();
    task?.commit({ one: 11 });
    expect(task?.committedOffset('one')).toBe(11);
    expect(task?.committedOffset('two')).toBe(20);
    s1.put(b('x'), b('y'));
    task?.rollback();
    expect(s1.get(b('x'))).toBeNull();
  });

  it('wipe deletes data and offset', () => {
    const { store } = openKv(taskDir());
    store.put(b('a'), b('1'));
    store.commit(5);
    store.put(b('b'), b('2'));
    store.wipe();
    expect(store.committedOffset()).toBeNull();
    expect(entries(store.all())).toEqual([]);
    store.put(b('c'), b('3'));
    store.commit(0);
    expect(entries(store.all())).toEqual([['c', '3']]);
  });
});

describe('RocksDBKeyValueStore: reads over the overlay and RocksDB', () => {
  it('ranges merge uncommitted and committed entries, the overlay winning and tombstones hiding', () => {
    const { store } = openKv(taskDir());
    for (const k of ['a', 'c', 'e', 'g', 'user:1', 'user:3']) store.put(b(k), b(`${k}-old`));
    store.commit(1);
    store.put(b('b'), b('b-new'));
    store.put(b('c'), b('c-new'));
    store.delete(b('e'));
    store.put(b('user:2'), b('u2'));
    store.delete(b('user:3'));
    store.put(b('h'), b('h-new'));
    store.delete(b('h'));
    const forward = [['a', 'a-old'], ['b', 'b-new'], ['c', 'c-new'], ['g', 'g-old'], ['user:1', 'user:1-old'], ['user:2', 'u2']];
    expect(entries(store.all())).toEqual(forward);
    expect(entries(store.reverseAll())).toEqual([...forward].reverse());
    expect(entries(store.range(b('b'), b('g')))).toEqual(forward.slice(1, 4));
    expect(entries(store.reverseRange(b('b'), b('g')))).toEqual(forward.slice(1, 4).reverse());
    expect(entries(store.range(null, b('c')))).toEqual(forward.slice(0, 3));
    expect(entries(store.range(b('d'), null))).toEqual(forward.slice(3));
    expect(entries(store.range(b('g'), b('b')))).toEqual([]);
    expect(entries(store.prefixScan('user:', Serdes.String().serializer()))).toEqual(forward.slice(4));
    expect(store.get(b('e'))).toBeNull();
    expect(store.getMany([b('a'), b('b'), b('e'), b('zz')]).map(str)).toEqual(['a-old', 'b-new', null, null]);
  });

  it('iterators read a snapshot: later writes and commits do not change an open iterator', () => {
    const { store } = openKv(taskDir());
    for (let i = 0; i < 100; i++) store.put(b(`k${String(i).padStart(3, '0')}`), b(`${i}`));
    store.commit(1);
    store.put(b('k000x'), b('new'));
    const it = store.all();
    expect(str(it.peekNextKey())).toBe('k000');
    expect(str(it.next().value?.key)).toBe('k000');
    store.put(b('k001'), b('changed'));
    store.delete(b('k002'));
    store.commit(2);
    const rest = entries(it);
    expect(rest[0]).toEqual(['k000x', 'new']);
    expect(rest[1]).toEqual(['k001', '1']);
    expect(rest).toHaveLength(100);
    expect(it.next().done).toBe(true);
    expect(entries(store.range(b('k001'), b('k003')))).toEqual([['k001', 'changed'], ['k003', '3']]);
  });

  it('reads across many chunks in both directions', () => {
    const { store } = openKv(taskDir());
    const keys = Array.from({ length: 5000 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    for (const k of keys) store.put(b(k), b(k));
    store.commit(1);
    for (let i = 0; i < keys.length; i += 7) store.put(b(keys[i] as string), b('o'));
    const all = entries(store.all());
    expect(all.map((e) => e[0])).toEqual(keys);
    expect(all.filter((e) => e[1] === 'o')).toHaveLength(Math.ceil(5000 / 7));
    expect(entries(store.reverseAll()).map((e) => e[0])).toEqual([...keys].reverse());
  });

  it('stores empty keys and empty values', () => {
    const { store } = openKv(taskDir());
    store.put(Buffer.alloc(0), b('empty key'));
    store.put(b('k'), Buffer.alloc(0));
    store.commit(1);
    expect(str(store.get(Buffer.alloc(0)))).toBe('empty key');
    expect(store.get(b('k'))?.length).toBe(0);
    expect(entries(store.all())).toEqual([['', 'empty key'], ['k', '']]);
  });

  it('approximateNumEntries is RocksDB estimate-num-keys adjusted by the overlay', () => {
    const { store } = openKv(taskDir());
    expect(store.approximateNumEntries()).toBe(0);
    for (let i = 0; i < 1000; i++) store.put(b(`k${i}`), b('v'));
    expect(store.approximateNumEntries()).toBe(1000);
    store.commit(1);
    expect(store.approximateNumEntries()).toBe(1000);
    store.put(b('new'), b('v'));
    store.delete(b('k1'));
    expect(store.approximateNumEntries()).toBe(1000);
  });

  it('is unusable after close, and close is idempotent', () => {
    const { store } = openKv(taskDir());
    store.close();
    store.close();
    expect(store.isOpen()).toBe(false);
    expect(() => store.get(b('a'))).toThrow(InvalidStateStoreError);
    expect(() => store.all()).toThrow(InvalidStateStoreError);
    expect(() => store.commit(1)).toThrow(InvalidStateStoreError);
  });

  it('registers the root with the task, and a second init of the same store only registers again', () => {
    const dir = taskDir();
    const context = contextFor(dir);
    const store = new RocksDBKeyValueStore('s');
    const root = { name: 's' } as StateStore;
    store.init(context, root);
    store.init(context, store);
    cleanups.push(() => store.close());
    expect(context.registered).toEqual([root, store]);
    const other = new RocksDBKeyValueStore('s');
    expect(() => other.init(context, other)).toThrow(/already has an open persistent store named s/);
  });
});

describe('persistent store layout', () => {
  it('keeps each store in <stateDir>/<applicationId>/<taskId>/rocksdb/<store>, with the task lock beside it', () => {
    const t = tempStateDir();
    cleanups.push(t.cleanup);
    const dirs = new StateDirectory({ stateDir: t.root, applicationId: 'app' });
    const dir = dirs.taskDirectory(new TaskId(1, 2));
    expect(dir).toBe(join(t.root, 'app', '1_2'));
    const { store } = openKv(dir, 'counts');
    expect(store.location).toBe(join(t.root, 'app', '1_2', 'rocksdb', 'counts'));
    expect(readdirSync(store.location)).toContain('CURRENT');
    expect(existsSync(join(dir, '.lock'))).toBe(true);
    expect(dirs.taskDirectoryNames()).toEqual(['1_2']);
    store.close();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    expect(existsSync(store.location)).toBe(true);
  });

  it('defaults the state directory to <os tmpdir>/kstreams', () => {
    expect(new StateDirectory({ applicationId: 'a' }).taskDirectory(new TaskId(0, 1))).toBe(join(tmpdir(), 'kstreams', 'a', '0_1'));
    expect(() => new StateDirectory({ applicationId: '..' })).toThrow(/cannot be used as a directory name/);
    expect(() => Stores.persistentKeyValueStore('a/b')).toThrow(/Store name 'a\/b' cannot be used as a directory name/);
    expect(() => new RocksDBKeyValueStore('..').init(contextFor(taskDir()), {} as StateStore)).toThrow(/Store name '\.\.'/);
  });

  it('without a state directory (TopologyTestDriver) a task gets a temporary directory, deleted when its stores close', () => {
    const context = contextFor(undefined);
    const s1 = new RocksDBKeyValueStore('a');
    const s2 = new RocksDBKeyValueStore('b');
    s1.init(context, s1);
    s2.init(context, s2);
    const task = TaskStateStores.find(context);
    const dir = task?.directory as string;
    expect(task?.temporary).toBe(true);
    expect(dir.startsWith(tmpdir())).toBe(true);
    expect(dir.endsWith(join('app', '0_0'))).toBe(true);
    expect(s1.location).toBe(join(dir, 'rocksdb', 'a'));
    s1.close();
    expect(existsSync(s2.location)).toBe(true);
    s2.close();
    expect(existsSync(dirname(dirname(dir)))).toBe(false);
  });
});

describe('corrupt stores', () => {
  it('moves an unreadable store aside, warns, starts empty and reports it (restore from offset 0)', () => {
    const dir = taskDir();
    const s = openKv(dir).store;
    s.put(b('a'), b('1'));
    s.commit(99);
    const location = s.location;
    s.close();
    for (const f of readdirSync(location)) if (f === 'CURRENT' || f.startsWith('MANIFEST')) writeFileSync(join(location, f), 'garbage garbage');

    const w = warnings();
    const { store, context } = openKv(dir, 's', w.warn);
    expect(store.corruptedAtOpen).toBe(true);
    expect(store.committedOffset()).toBeNull();
    expect(entries(store.all())).toEqual([]);
    expect(TaskStateStores.find(context)?.corruptedStores()).toEqual(['s']);
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/store s at .* could not be read .*Corruption.*moved it to .*\.corrupt-.* restored from its changelog/);
    const aside = readdirSync(join(dir, 'rocksdb')).filter((f) => f.startsWith('s.corrupt-'));
    expect(aside).toHaveLength(1);
    // the fresh store works
    store.put(b('b'), b('2'));
    store.commit(100);
    expect(entries(store.all())).toEqual([['b', '2']]);
  });

  it('a store directory of another kind (a window store of the same name) is moved aside too', () => {
    const dir = taskDir();
    const context = contextFor(dir);
    const window = new RocksDBWindowStore('s', 1000, 10, false);
    window.init(context, window);
    window.put(b('k'), b('v'), 5);
    window.commit(1);
    window.close();
    const w = warnings();
    const { store } = openKv(dir, 's', w.warn);
    expect(store.corruptedAtOpen).toBe(true);
    expect(w.messages[0]).toMatch(/could not be read/);
  });
});
