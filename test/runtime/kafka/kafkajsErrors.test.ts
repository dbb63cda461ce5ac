/**
 * How the kafkajs adapter classifies kafkajs errors. The inputs have the shapes kafkajs
 * 2.2.4 produces (protocol errors with `type`/`code`, wrapped in retry errors with
 * `cause`); the mapper is duck-typed, so no broker and no kafkajs import are needed.
 */
import { describe, expect, it } from 'vitest';
import { TaskCorruptedError, TaskMigratedError } from '../../../src/errors.js';
import { CommitFailedError, type KafkaError, KafkaErrorCode, ProducerFencedError, UnknownTopicError } from '../../../src/runtime/kafka/errors.js';
import { isConcurrentTransactions, isFencing, toStreamsError, toTransactionError } from '../../../src/runtime/kafka/kafkajs/errors.js';

function protocolError(type: string, code: number, retriable = false): Error {
  return Object.assign(new Error(`${type} happened`), { name: 'KafkaJSProtocolError', type, code, retriable });
}
function wrapped(cause: Error, name = 'KafkaJSNumberOfRetriesExceeded'): Error {
  return Object.assign(new Error(cause.message), { name, retriable: false, cause });
}

describe('kafkajs error mapping', () => {
  it('INVALID_PRODUCER_EPOCH and PRODUCER_FENCED (unknown to kafkajs as code 90) are fencing, wrapped or not', () => {
    const epoch = protocolError('INVALID_PRODUCER_EPOCH', 47);
    const fenced90 = Object.assign(new Error('Unknown error code 90'), { name: 'KafkaJSProtocolError', type: 'KAFKAJS_UNKNOWN_ERROR_CODE', code: -99 });
    for (const e of [epoch, wrapped(epoch), fenced90, wrapped(fenced90, 'KafkaJSNonRetriableError')]) {
      expect(isFencing(e)).toBe(true);
      const m = toStreamsError(e, 'send');
      expect(m).toBeInstanceOf(ProducerFencedError);
      expect(m).toBeInstanceOf(TaskMigratedError);
      expect((m as Error).cause).toBe(e);
    }
  });

  it('CONCURRENT_TRANSACTIONS is retried by the adapter, and surfaces as retriable if it persists', () => {
    const e = wrapped(protocolError('CONCURRENT_TRANSACTIONS', 51, true));
    expect(isConcurrentTransactions(e)).toBe(true);
    const m = toStreamsError(e, 'send offsets') as KafkaError;
    expect(m.kafkaCode).toBe(KafkaErrorCode.CONCURRENT_TRANSACTIONS);
    expect(m.retriable).toBe(true);
  });

  it('a stale generation on commit is a CommitFailedError', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      expect(toStreamsError(wrapped(protocolError(type, 27), 'KafkaJSNonRetriableError'), 'commit')).toBeInstanceOf(CommitFailedError);
    }
  });

  it('unknown topics and network trouble get their own codes', () => {
    expect(toStreamsError(wrapped(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true)), 'send')).toBeInstanceOf(UnknownTopicError);
    const net = toStreamsError(wrapped(Object.assign(new Error('ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true })), 'send') as KafkaError;
    expect([net.kafkaCode, net.retriable]).toEqual([KafkaErrorCode.NETWORK, true]);
  });

  it('a failed EndTxn is a TransactionFailedError unless it was fencing; programming errors pass through', () => {
    expect(toTransactionError(protocolError('COORDINATOR_NOT_AVAILABLE', 15, true), 'commit')).toBeInstanceOf(TaskCorruptedError);
    expect(toTransactionError(protocolError('INVALID_PRODUCER_EPOCH', 47), 'commit')).toBeInstanceOf(ProducerFencedError);
    const bug = new TypeError('x is not a function');
    expect(toStreamsError(bug, 'send')).toBe(bug);
  });
});
