/**
 * Replaces kafkajs 2.2.4's filter of aborted transactional records (read_committed)
 * with a correct one. Import this module before anything imports kafkajs' values: it
 * puts the fixed function into Node's module cache, where kafkajs' consumer picks it up
 * when it loads.
 *
 * The kafkajs filter (src/consumer/filterAbortedMessages.js) has two bugs that let
 * records of aborted transactions through, which breaks exactly-once (kstreams found
 * them as double counts after a crash, on a repartition topic written by two tasks):
 * - For each record it moves at most ONE aborted transaction from the fetch response's
 *   list into the set of aborted producers. When a fetch starts after the first offsets
 *   of two aborted transactions (two producers writing one partition), the second
 *   producer's aborted records are returned until a later record catches up.
 * - Any record whose key is four zero bytes counts as an abort marker, control record
 *   or not.
 * The fix follows Kafka's Java consumer: every aborted transaction whose first offset is
 * at or before the record joins the set, and only a control record ends one.
 */
import { createRequire } from 'node:module';

interface AbortedTransaction {
  readonly producerId: string | number | bigint;
  readonly firstOffset: string;
}

interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string | number | bigint; readonly inTransaction: boolean };
}

/** Control record key of an ABORT marker: version 0 (int16), type 0 (int16). */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/**
 * Drops the records of aborted transactions. `abortedTransactions` is what the broker
 * listed in the fetch response for this partition. Control records are kept (kafkajs
 * removes them afterwards).
 */
export function filterAbortedMessages({
  messages,
  abortedTransactions,
}: {
  messages: readonly FetchedMessage[];
  abortedTransactions?: readonly AbortedTransaction[];
}): FetchedMessage[] {
  if (abortedTransactions === undefined || abortedTransactions.length === 0) return [...messages];
  const pending = [...abortedTransactions].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const aborted = new Set<string>();
  return messages.filter((m) => {
    while (pending.length > 0 && compareOffsets(m.offset, (pending[0] as AbortedTransaction).firstOffset) >= 0) {
      aborted.add(String((pending.shift() as AbortedTransaction).producerId));
    }
    const producer = String(m.batchContext.producerId);
    if (m.isControlRecord === true) {
      if (m.key !== null && Buffer.from(m.key).equals(ABORT_MARKER_KEY)) aborted.delete(producer);
      return true;
    }
    return !(m.batchContext.inTransaction && aborted.has(producer));
  });
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
if (require.cache[require.resolve('kafkajs/src/consumer/batch.js')] !== undefined) {
  console.warn("kstreams: kafkajs was loaded before kstreams' kafkajs adapter; its read_committed filter can return aborted records");
}
require(modulePath);
const cached = require.cache[modulePath];
if (cached === undefined) throw new Error(`kstreams: could not load ${modulePath} to fix kafkajs' aborted-transaction filter`);
cached.exports = filterAbortedMessages;
