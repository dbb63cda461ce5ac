import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStorageError } from '../../../src/errors.js';
import { RocksDB, unavailableMessage } from '../../../src/state/rocksdb/RocksDBBinding.js';
import { tempStateDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function openDb(columns: string[] = ['meta']): RocksDB {
  const t = tempStateDir();
  const db = RocksDB.open(join(t.root, 'db'), { columns: Object.fromEntries(columns.map((c) => [c, {}])) });
  cleanups.push(t.cleanup, () => db.close());
  return db;
}

const b = (s: string) => Buffer.from(s);

describe('RocksDB binding', () => {
  it('writes one batch atomically across column families, and reads synchronously', () => {
    const db = openDb(['meta']);
    const batch = db.batch();
    batch.put(b('k1'), b('v1'));
    batch.put(b('k2'), b('v2'));
    batch.put(b('offset'), b('42'), 'meta');
    expect(batch.size).toBe(3);
    db.write(batch, { sync: true });
    expect(batch.size).toBe(0);
    expect(db.getMany([b('k1'), b('nope'), b('k2')]).map((v) => v?.toString())).toEqual(['v1', undefined, 'v2']);
    expect(db.get(b('offset'), 'meta')?.toString()).toBe('42');
    expect(db.get(b('offset'))).toBeUndefined();
    expect(db.hasColumn('meta')).toBe(true);
    expect(db.getProperty('rocksdb.estimate-num-keys')).toBe('2');
  });

  it('reads ranges in chunks, forward and reverse, with inclusive and exclusive bounds', () => {
    const db = openDb();
    const batch = db.batch();
    for (let i = 0; i < 10; i++) batch.put(b(`k${i}`), b(`${i}`));
    db.write(batch);
    const read = (range: Parameters<RocksDB['iterate']>[0], chunk = 3) => {
      const it = db.iterate(range);
      const out: string[] = [];
      for (let done = false; !done; ) {
        const c = it.next(chunk);
        out.push(...c.keys.map((k) => k.toString()));
        done = c.done;
      }
      return out;
    };
    expect(read({ gte: b('k2'), lte: b('k5') })).toEqual(['k2', 'k3', 'k4', 'k5']);
    expect(read({ gt: b('k2'), lt: b('k5') })).toEqual(['k3', 'k4']);
    expect(read({ gte: b('k7'), reverse: true })).toEqual(['k9', 'k8', 'k7']);
    expect(read({}, 100)).toHaveLength(10);
    db.deleteRange('default', b('k1'), b('k8'));
    expect(read({})).toEqual(['k0', 'k8', 'k9']);
  });

  it('refuses use after close with a typed error instead of crashing, and closes open iterators', () => {
    const db = openDb();
    const it = db.iterate({});
    db.close();
    db.close();
    expect(db.isOpen).toBe(false);
    expect(it.next(10)).toEqual({ keys: [], values: [], done: true });
    for (const use of [() => db.get(b('k')), () => db.iterate({}), () => db.batch(), () => db.getProperty('rocksdb.estimate-num-keys')]) {
      expect(use).toThrow(StateStorageError);
      expect(use).toThrow(/is closed/);
    }
  });

  it('names the missing column family', () => {
    const db = openDb([]);
    expect(() => db.get(b('k'), 'nope')).toThrow(/has no column family nope/);
  });

  it('explains which platforms have a prebuilt binary when the native module cannot load', () => {
    const m = unavailableMessage(new Error('No native build was found'));
    expect(m).toMatch(/linux-x64 \(glibc\) and darwin-arm64/);
    expect(m).toContain(`${process.platform}-${process.arch}`);
    expect(m).toContain(process.version);
    expect(m).toContain('No native build was found');
    expect(m).toMatch(/Stores\.inMemory/);
  });

  it('is the only module that imports the binding package', () => {
    const src = fileURLToPath(new URL('../../../src', import.meta.url));
    const importers = (readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(join(src, f), 'utf8').includes('@nxtedition/rocksdb'));
    expect(importers).toEqual([join('state', 'rocksdb', 'RocksDBBinding.ts')]);
  });
});
