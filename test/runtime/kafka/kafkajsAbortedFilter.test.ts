/**
 * kafkajs 2.2.4's read_committed filter lets aborted records through when a fetch starts
 * after the first offsets of two aborted transactions; kstreams replaces it
 * (src/runtime/kafka/kafkajs/abortedFilterFix.ts). These tests pin the fixed behaviour
 * and check that kafkajs' own Batch class uses the replacement.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { filterAbortedMessages } from '../../../src/runtime/kafka/kafkajs/abortedFilterFix.js';
import '../../../src/runtime/kafka/kafkajs/index.js';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

function data(offset: number, producerId: string, inTransaction = true) {
  return { offset: String(offset), key: Buffer.from(`k${offset}`), batchContext: { producerId, inTransaction } };
}
function marker(offset: number, producerId: string, key: Buffer) {
  return { offset: String(offset), key, isControlRecord: true, batchContext: { producerId, inTransaction: true } };
}

/** Two producers interleave in one partition; both transactions are aborted. */
const interleaved = [data(12, 'p2'), data(13, 'p2'), data(14, 'p1'), marker(15, 'p1', ABORT), data(16, 'p2'), marker(17, 'p2', ABORT), data(18, 'p3', false)];
const abortedBoth = [
  { producerId: 'p1', firstOffset: '10' },
  { producerId: 'p2', firstOffset: '11' },
];

describe("kafkajs' aborted-transaction filter, fixed", () => {
  it('drops the records of every aborted transaction that began before the fetch', () => {
    const kept = filterAbortedMessages({ messages: interleaved, abortedTransactions: abortedBoth });
    expect(kept.filter((m) => m.isControlRecord !== true).map((m) => m.offset)).toEqual(['18']);
  });

  it('keeps committed transactions and stops dropping a producer at its abort marker', () => {
    const messages = [data(0, 'p1'), marker(1, 'p1', ABORT), data(2, 'p1'), marker(3, 'p1', COMMIT), data(4, 'p2'), marker(5, 'p2', COMMIT)];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ producerId: 'p1', firstOffset: '0' }] });
    expect(kept.filter((m) => m.isControlRecord !== true).map((m) => m.offset)).toEqual(['2', '4']);
  });

  it('a data record whose key is four zero bytes is not an abort marker', () => {
    const messages = [data(0, 'p1'), { ...data(1, 'p1'), key: ABORT }, data(2, 'p1'), marker(3, 'p1', ABORT)];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ producerId: 'p1', firstOffset: '0' }] });
    expect(kept.filter((m) => m.isControlRecord !== true)).toEqual([]);
  });

  it("is what kafkajs' Batch uses once the adapter is loaded", () => {
    const require = createRequire(import.meta.url);
    const Batch = require('kafkajs/src/consumer/batch.js') as new (
      topic: string,
      fetchedOffset: string,
      data: { partition: number; highWatermark: string; messages: unknown[]; abortedTransactions: unknown[] },
    ) => { messages: { offset: string }[] };
    const batch = new Batch('t', '12', { partition: 0, highWatermark: '19', messages: interleaved, abortedTransactions: abortedBoth });
    expect(batch.messages.map((m) => m.offset)).toEqual(['18']);
  });
});
