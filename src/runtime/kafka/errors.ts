/**
 * Errors of the Kafka seam. Both adapters throw these (or another kstreams error),
 * never a client library's error, so the runtime's recovery does not depend on the
 * adapter.
 *
 * Each class has a stable `kafkaCode` besides the kstreams `code`: `code` comes from
 * the closed `ErrorCode` union in src/errors.ts and names the recovery (TASK_MIGRATED,
 * TASK_CORRUPTED, or STREAMS for "fail or retry"), `kafkaCode` names what Kafka said.
 * Where a kstreams error fits, the class extends it: fencing and a commit refused after
 * a rebalance are TaskMigratedErrors (close the tasks as zombies, rejoin), a failed
 * transaction is a TaskCorruptedError (discard uncommitted state, restart from the
 * committed offsets).
 */
import { ErrorCode, StreamsError, TaskCorruptedError, TaskMigratedError } from '../../errors.js';

/** Stable codes of Kafka conditions, as an `as const` object with its union type. */
export const KafkaErrorCode = {
  /** A newer producer with the same transactional id exists, or the coordinator aborted our transaction. */
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  /** An offset commit was refused: the group rebalanced or this member was removed. */
  COMMIT_FAILED: 'COMMIT_FAILED',
  /** A transaction could not be completed; its outcome may be unknown. */
  TRANSACTION_FAILED: 'TRANSACTION_FAILED',
  /** The topic or partition does not exist. */
  UNKNOWN_TOPIC_OR_PARTITION: 'UNKNOWN_TOPIC_OR_PARTITION',
  /** The broker kept answering CONCURRENT_TRANSACTIONS beyond the retry budget. */
  CONCURRENT_TRANSACTIONS: 'CONCURRENT_TRANSACTIONS',
  /** The group's members use different assignor protocols. */
  INCONSISTENT_GROUP_PROTOCOL: 'INCONSISTENT_GROUP_PROTOCOL',
  /** A client was used in a state that forbids the call (closed, no open transaction, ...). */
  INVALID_STATE: 'INVALID_STATE',
  /** A request timed out or the connection failed. */
  NETWORK: 'NETWORK',
  /** Anything else Kafka or the client reported. */
  UNKNOWN: 'UNKNOWN',
} as const;
export type KafkaErrorCode = (typeof KafkaErrorCode)[keyof typeof KafkaErrorCode];

interface KafkaErrorOptions {
  cause?: unknown;
}

/** A Kafka failure without a more specific kstreams meaning. */
export class KafkaError extends StreamsError {
  override readonly code: ErrorCode = ErrorCode.STREAMS;
  override readonly retriable: boolean;
  readonly kafkaCode: KafkaErrorCode;
  constructor(message: string, kafkaCode: KafkaErrorCode = KafkaErrorCode.UNKNOWN, retriable = false, options?: KafkaErrorOptions) {
    super(message, options);
    this.kafkaCode = kafkaCode;
    this.retriable = retriable;
  }
}

/**
 * This producer's transactional id was taken over by a newer producer (or its
 * transaction timed out and the coordinator bumped the epoch). The producer is dead:
 * close it, close its task as a zombie and rejoin. Never retried.
 */
export class ProducerFencedError extends TaskMigratedError {
  readonly kafkaCode: KafkaErrorCode = KafkaErrorCode.PRODUCER_FENCED;
}

/**
 * An offset commit was refused because the group moved on: a rebalance gave the
 * partition to someone else, or this member was removed (session timeout). As Kafka
 * Streams does with CommitFailedException, treat the tasks as migrated.
 */
export class CommitFailedError extends TaskMigratedError {
  readonly kafkaCode: KafkaErrorCode = KafkaErrorCode.COMMIT_FAILED;
}

/**
 * A transaction could not be committed or aborted for a reason other than fencing.
 * Its outcome may be unknown and the producer is unusable (kafkajs cannot retry an
 * EndTxn): close the producer, discard the tasks' uncommitted state and restart them
 * from the committed offsets, which under exactly-once is right whichever way the
 * transaction ended.
 */
export class TransactionFailedError extends TaskCorruptedError {
  readonly kafkaCode: KafkaErrorCode = KafkaErrorCode.TRANSACTION_FAILED;
}

/** The topic (or partition) does not exist; kstreams creates its topics before use. */
export class UnknownTopicError extends KafkaError {
  constructor(message: string, options?: KafkaErrorOptions) {
    super(message, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, false, options);
  }
}

/** A client was used after close, or a transactional call came in the wrong state. */
export class KafkaStateError extends KafkaError {
  constructor(message: string, options?: KafkaErrorOptions) {
    super(message, KafkaErrorCode.INVALID_STATE, false, options);
  }
}

/** Whether `e` means the producer was fenced. */
export function isFenced(e: unknown): e is ProducerFencedError {
  return e instanceof ProducerFencedError;
}
