import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDirectoryLockedError } from '../../../src/errors.js';
import { TaskId } from '../../../src/runtime/TaskId.js';
import { RocksDBKeyValueStore } from '../../../src/state/rocksdb/RocksDBKeyValueStore.js';
import { StateDirectory, TaskDirectoryLock } from '../../../src/state/rocksdb/TaskStateDirectory.js';
import { contextFor, tempStateDir, warnings } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function taskDir(): string {
  const t = tempStateDir();
  cleanups.push(t.cleanup);
  return new StateDirectory({ stateDir: t.root, applicationId: 'app' }).taskDirectory(new TaskId(0, 0));
}

function lock(dir: string, warn?: (m: string) => void): TaskDirectoryLock {
  const l = TaskDirectoryLock.acquire(dir, warn ? { warn } : {});
  cleanups.push(() => l.release());
  return l;
}

function lockError(fn: () => unknown): StateDirectoryLockedError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StateDirectoryLockedError);
    return e as StateDirectoryLockedError;
  }
  throw new Error('expected a StateDirectoryLockedError');
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Starts a node process running a TypeScript fixture; resolves with its first stdout line. */
function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('exit', resolve)));

/** A pid that no process has right now: one of a process that just ran and exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('task directory lock', () => {
  it('writes a lock file naming this process, and removes it on release', () => {
    const dir = taskDir();
    const l = lock(dir);
    const holder = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(TaskDirectoryLock.holderOf(dir)?.pid).toBe(process.pid);
    expect(TaskDirectoryLock.heldInProcess(dir)).toBe(l);
    l.release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    expect(TaskDirectoryLock.heldInProcess(dir)).toBeUndefined();
    lock(dir).release();
  });

  it('a second lock in this process fails, naming the directory and this pid', () => {
    const dir = taskDir();
    lock(dir);
    const e = lockError(() => TaskDirectoryLock.acquire(dir));
    expect(e.directory).toBe(dir);
    expect(e.holder?.pid).toBe(process.pid);
    expect(e.message).toContain(dir);
    expect(e.message).toContain(`this process (pid ${process.pid})`);
    expect(e.retriable).toBe(true);
  });

  it('two task instances in one process never open the same task directory', () => {
    const dir = taskDir();
    const first = new RocksDBKeyValueStore('s');
    first.init(contextFor(dir), first);
    cleanups.push(() => first.close());
    const second = new RocksDBKeyValueStore('s');
    const e = lockError(() => second.init(contextFor(dir), second));
    expect(e.message).toContain(dir);
    expect(e.message).toContain(`pid ${process.pid}`);
    // the first instance still works, and after it closes the second can open
    first.put(Buffer.from('k'), Buffer.from('v'));
    first.commit(1);
    first.close();
    second.init(contextFor(dir), second);
    cleanups.push(() => second.close());
    expect(second.get(Buffer.from('k'))?.toString()).toBe('v');
  });

  it('stores open under a lock the runtime holds, and leave it held when they close', () => {
    const dir = taskDir();
    const runtimeLock = lock(dir);
    const s = new RocksDBKeyValueStore('s');
    s.init(contextFor(dir), s);
    s.close();
    expect(runtimeLock.isReleased).toBe(false);
    expect(existsSync(join(dir, '.lock'))).toBe(true);
  });

  it("RocksDB's own LOCK refuses a second handle on one store directory, as a typed error", () => {
    const dir = taskDir();
    lock(dir); // held by the "runtime", so both task contexts below pass the task lock
    const a = new RocksDBKeyValueStore('s');
    a.init(contextFor(dir), a);
    cleanups.push(() => a.close());
    const b = new RocksDBKeyValueStore('s');
    const e = lockError(() => b.init(contextFor(dir), b));
    expect(e.message).toContain(join(dir, 'rocksdb', 's'));
    expect(e.holder?.pid).toBe(process.pid);
  });

  it('a live holder in another process blocks the lock, named by its pid; once it is killed its stale lock is taken over', async () => {
    const dir = taskDir();
    const { child, line } = await startChild('lockHolder.ts', [dir]);
    expect(line).toBe(`locked ${child.pid}`);
    const e = lockError(() => TaskDirectoryLock.acquire(dir));
    expect(e.directory).toBe(dir);
    expect(e.holder?.pid).toBe(child.pid);
    expect(e.message).toContain(`locked by process ${child.pid} on host ${hostname()}`);
    // a store opening in that directory fails the same way
    const s = new RocksDBKeyValueStore('s');
    expect(lockError(() => s.init(contextFor(dir), s)).holder?.pid).toBe(child.pid);

    child.kill('SIGKILL');
    await exited(child);
    const w = warnings();
    const l = lock(dir, w.warn);
    expect(TaskDirectoryLock.holderOf(dir)?.pid).toBe(process.pid);
    expect(w.messages).toEqual([expect.stringMatching(new RegExp(`took over the stale lock of .*process ${child.pid} .*that process is gone`))]);
    l.release();
  }, 20_000);

  it('a holder that releases (stdin closed) leaves the directory free', async () => {
    const dir = taskDir();
    const { child } = await startChild('lockHolder.ts', [dir]);
    child.stdin?.end();
    await exited(child);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    lock(dir);
  }, 20_000);

  it('takes over stale locks: dead pid, reused pid, unreadable file, another host', () => {
    const dir = taskDir();
    mkdirSync(dir, { recursive: true });
    const stale = (content: string) => writeFileSync(join(dir, '.lock'), content);
    const cases: [string, RegExp][] = [
      [JSON.stringify({ pid: deadPid(), hostname: hostname(), threadId: 0, acquiredAt: 'then' }), /that process is gone/],
      [JSON.stringify({ pid: process.pid, hostname: hostname(), threadId: 0, acquiredAt: 'then', incarnation: 'another-boot:1' }), /.*/],
      ['not json', /unreadable/],
      [JSON.stringify({ pid: process.pid, hostname: 'some-other-host', threadId: 0, acquiredAt: 'then' }), /another host name/],
    ];
    for (const [content, why] of cases) {
      stale(content);
      const w = warnings();
      const l = TaskDirectoryLock.acquire(dir, { warn: w.warn });
      expect(w.messages).toHaveLength(1);
      expect(w.messages[0]).toMatch(why);
      l.release();
    }
  });

  it('release never deletes a lock file that is no longer its own', () => {
    const dir = taskDir();
    const l = lock(dir);
    const theirs = JSON.stringify({ pid: 1, hostname: 'x', threadId: 0, acquiredAt: 'now' });
    writeFileSync(join(dir, '.lock'), theirs);
    l.release();
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(theirs);
  });
});

describe('crash safety', () => {
  it('after kill -9 during commits, a reopened store holds exactly the data of its stored offset', async () => {
    const t = tempStateDir();
    cleanups.push(t.cleanup);
    const { child } = await startChild('crashWriter.ts', [t.root]);
    let printed = '';
    child.stdout?.on('data', (d) => {
      printed += d;
    });
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    child.kill('SIGKILL');
    await exited(child);
    const lines = printed.trim().split('\n');
    const lastPrinted = Number(lines[lines.length - 1]);

    const dir = new StateDirectory({ stateDir: t.root, applicationId: 'app' }).taskDirectory(new TaskId(0, 0));
    const w = warnings();
    const store = new RocksDBKeyValueStore('s', { warn: w.warn });
    store.init(contextFor(dir), store);
    cleanups.push(() => store.close());
    // the child's lock was stale, and its data readable
    expect(w.messages).toEqual([expect.stringMatching(/took over the stale lock/)]);
    expect(store.corruptedAtOpen).toBe(false);
    const offset = store.committedOffset() as number;
    expect(offset).toBeGreaterThanOrEqual(lastPrinted);
    expect(store.get(Buffer.from('uncommitted'))).toBeNull();
    let n = 0;
    let wrong: string | null = null;
    for (const kv of store.all()) {
      if (wrong === null && kv.key.toString() !== `k-${String(n).padStart(12, '0')}`) wrong = kv.key.toString();
      n++;
    }
    expect(wrong).toBeNull();
    expect(n).toBe((offset + 1) * 100);
  }, 20_000);
});
