// Crash check for @nxtedition/rocksdb: a child writes synchronous WriteBatches, each holding 100
// data keys plus an "offset" key in a second column family (one atomic batch, sync: false), and
// prints each committed offset. The parent SIGKILLs it at a random moment, reopens the directory
// (the LOCK must be free again) and checks: stored offset >= last offset the child printed, and
// the data holds exactly the keys of batches 0..offset (no partial batch).
//
// Usage: node bench/rocksdb-probe/crash-check.mjs [--scratch DIR] [--rounds 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const scratch = opt('scratch', '/tmp/rdb-_nxtedition_rocksdb');
const require = createRequire(join(scratch, 'package.json'));
const { RocksLevel } = require('@nxtedition/rocksdb');
const PER_BATCH = 100;
const columns = { default: {}, meta: {} };

async function child(dir) {
  const db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open({ columns });
  const value = Buffer.alloc(100, 0x61);
  for (let offset = 0; ; offset++) {
    const b = db.batch();
    for (let i = 0; i < PER_BATCH; i++) b.put(Buffer.from(`k-${String(offset * PER_BATCH + i).padStart(12, '0')}`), value);
    b.put(Buffer.from('offset'), Buffer.from(String(offset)), { column: db.columns.meta });
    b._writeSync({ sync: false });
    b._closeSync();
    process.stdout.write(`${offset}\n`);
  }
}

async function parent() {
  const rounds = Number(opt('rounds', 5));
  let ok = 0;
  for (let r = 0; r < rounds; r++) {
    const dir = join(mkdtempSync(join(tmpdir(), 'rdb-crash-')), 'db');
    const proc = spawn(process.execPath, [process.argv[1], '--child', dir, '--scratch', scratch], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((res) => setTimeout(res, 800 + Math.random() * 1500));
    proc.kill('SIGKILL');
    await new Promise((res) => proc.on('exit', res));
    const lines = out.trim().split('\n').filter(Boolean);
    const lastPrinted = lines.length ? Number(lines[lines.length - 1]) : -1;

    const db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open({ columns }); // throws if the LOCK were still held
    const [off] = db._getManySync([Buffer.from('offset')], { column: db.columns.meta });
    const stored = off === undefined ? -1 : Number(String(off));
    const it = db.iterator();
    let count = 0;
    for (;;) {
      const { rows, finished } = it._nextvSync(10_000);
      count += rows.length / 2;
      if (finished) break;
    }
    it._closeSync();
    await db.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
    const good = stored >= lastPrinted && count === (stored + 1) * PER_BATCH;
    if (good) ok++;
    console.log(
      `round ${r + 1}: last printed offset ${lastPrinted}, stored offset ${stored}, data keys ${count} ` +
        `(expected ${(stored + 1) * PER_BATCH}) -> ${good ? 'OK' : 'MISMATCH'}`,
    );
  }
  console.log(`${ok}/${rounds} rounds consistent`);
  if (ok !== rounds) process.exitCode = 1;
}

if (args.includes('--child')) await child(args[args.indexOf('--child') + 1]);
else await parent();
