import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { StateStorageError, StorageFailure } from '../../errors.js';

/**
 * Opens and closes RocksDB databases synchronously, for the binding module.
 *
 * Why a worker: the native binding opens and closes only asynchronously (its
 * db_open/db_close run on the libuv pool and call back on the event loop),
 * but StateStore.init() and close() are synchronous, as in Kafka, and the
 * TopologyTestDriver relies on that. So a long-lived helper thread opens the
 * database and hands back the raw handle (a pointer, as a bigint); the main
 * thread attaches to the already-open database with db_init(handle), after
 * which every read and write runs synchronously on the main thread. The main
 * thread blocks in Atomics.wait while the helper works (an open takes a few
 * milliseconds; recovering a large write-ahead log takes longer), and reads
 * the reply with receiveMessageOnPort: the synckit pattern.
 *
 * The open itself runs on the libuv thread pool, which keeps working while
 * the main thread waits; only a pool saturated by hung work (a dead network
 * file system) could delay it, hence the timeout.
 *
 * The helper must outlive every database it opened: the binding closes a
 * database when the environment (thread) that opened it exits. It is unref'd
 * so that it never keeps the process alive, and at process exit the binding's
 * cleanup hook closes whatever is still open (flushing the WAL).
 */

/** Plain-data options passed to the native db_open (see RocksDBBinding). */
export type NativeOpenOptions = Readonly<Record<string, unknown>>;

interface Reply {
  readonly id: number;
  readonly handle?: bigint;
  readonly error?: { readonly message: string; readonly code?: string };
}

/** The helper thread's program. Plain CommonJS: it runs from source text, without the TypeScript toolchain. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const binding = require(workerData.bindingPath);
const port = workerData.port;
const flag = new Int32Array(workerData.flag);
const open = new Map(); // handle (bigint) -> this thread's db context; keeps it from being collected
function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
function fail(id, err) {
  reply({ id, error: { message: String(err && err.message || err), code: err && err.code } });
}
port.on('message', (req) => {
  try {
    if (req.op === 'open') {
      const ctx = binding.db_init(req.location);
      binding.db_open(ctx, req.options, (err) => {
        if (err) return fail(req.id, err);
        const handle = binding.db_get_handle(ctx);
        open.set(handle, ctx);
        reply({ id: req.id, handle });
      });
    } else if (req.op === 'close') {
      const ctx = open.get(req.handle);
      if (ctx === undefined) return reply({ id: req.id });
      binding.db_close(ctx, (err) => {
        open.delete(req.handle);
        if (err) return fail(req.id, err);
        reply({ id: req.id });
      });
    } else {
      fail(req.id, new Error('unknown request ' + req.op));
    }
  } catch (err) {
    fail(req.id, err);
  }
});
`;

/** How long the main thread waits for the helper before giving up. */
const TIMEOUT_MS = 120_000;

export class NativeOpener {
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  constructor(bindingPath: string) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bindingPath, port: port2, flag: this.flag.buffer },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    this.port = port1;
  }

  /** Opens the database at `location`; returns its native handle. Throws the binding's error (with its code). */
  open(location: string, options: NativeOpenOptions): bigint {
    const reply = this.call({ op: 'open', location, options });
    if (reply.handle === undefined) throw new StateStorageError(`RocksDB open of ${location} returned no handle`);
    return reply.handle;
  }

  /** Closes a database this opener opened (flushes its WAL). */
  close(handle: bigint): void {
    this.call({ op: 'close', handle });
  }

  private call(request: Record<string, unknown>): Reply {
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...request, id });
    const waited = Atomics.wait(this.flag, 0, 0, TIMEOUT_MS);
    const received = receiveMessageOnPort(this.port);
    if (received === undefined) {
      throw new StateStorageError(`RocksDB ${String(request.op)} got no answer from the helper thread (${waited})`, {
        reason: StorageFailure.OTHER,
      });
    }
    const reply = received.message as Reply;
    if (reply.id !== id) throw new StateStorageError(`RocksDB helper answered request ${reply.id}, expected ${id}`);
    if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply;
  }
}
