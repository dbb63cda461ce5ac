/**
 * kafkajs errors -> kstreams errors. kafkajs wraps protocol errors (which carry `type`,
 * e.g. 'INVALID_PRODUCER_EPOCH') in retry errors (KafkaJSNumberOfRetriesExceeded,
 * KafkaJSNonRetriableError) with the original as `cause`, so every check walks the
 * cause chain. Duck-typed on purpose: no kafkajs import, so it is testable alone.
 */
import { StreamsError } from '../../../errors.js';
import { CommitFailedError, KafkaError, KafkaErrorCode, ProducerFencedError, TransactionFailedError, UnknownTopicError } from '../errors.js';

interface ClientError {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
}

/** `e` and its causes, outermost first. */
function causeChain(e: unknown): ClientError[] {
  const out: ClientError[] = [];
  let cur: unknown = e;
  while (cur !== null && typeof cur === 'object' && out.length < 10 && !out.includes(cur as ClientError)) {
    out.push(cur as ClientError);
    cur = (cur as ClientError).cause;
  }
  return out;
}

function hasType(e: unknown, types: readonly string[]): boolean {
  return causeChain(e).some((c) => typeof c.type === 'string' && types.includes(c.type));
}

/**
 * Fencing, in the forms kafkajs 2.2.4 shows it: INVALID_PRODUCER_EPOCH (47);
 * PRODUCER_FENCED (90), which is missing from kafkajs' error table and arrives as
 * KAFKAJS_UNKNOWN_ERROR_CODE "Unknown error code 90"; INVALID_PRODUCER_ID_MAPPING (49),
 * which Kafka Streams also treats as the task having migrated.
 */
export function isFencing(e: unknown): boolean {
  if (hasType(e, ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING'])) return true;
  return causeChain(e).some((c) => c.code === 90 || (typeof c.message === 'string' && /Unknown error code 90\b/.test(c.message)));
}

/** The broker is still completing the previous transaction (kafkajs issues #1315, #430); retry after a pause. */
export function isConcurrentTransactions(e: unknown): boolean {
  return !isFencing(e) && hasType(e, ['CONCURRENT_TRANSACTIONS']);
}

/** The group moved on: the commit's generation or member is stale. */
export function isRebalance(e: unknown): boolean {
  return hasType(e, ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
}

const NETWORK_ERRORS = ['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound', 'KafkaJSNoBrokerAvailableError'];

function describe(e: unknown): string {
  const chain = causeChain(e);
  const root = chain[chain.length - 1];
  const type = chain.find((c) => typeof c.type === 'string')?.type;
  const msg = root !== undefined && typeof root.message === 'string' ? root.message : String(e);
  return typeof type === 'string' ? `${type}: ${msg}` : msg;
}

/**
 * Maps an error thrown by kafkajs during `what` (e.g. "send to orders") to a kstreams
 * error. kstreams errors and programming errors (TypeError, ...) pass through.
 */
export function toStreamsError(e: unknown, what: string): Error {
  if (e instanceof StreamsError) return e;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) return e;
  const detail = `${what}: ${describe(e)}`;
  if (isFencing(e)) return new ProducerFencedError(`${detail} (fenced by a newer producer with the same transactional id, or the transaction timed out)`, { cause: e });
  if (isRebalance(e)) return new CommitFailedError(`${detail} (the group rebalanced)`, { cause: e });
  if (hasType(e, ['UNKNOWN_TOPIC_OR_PARTITION']) || causeChain(e).some((c) => c.name === 'KafkaJSTopicMetadataNotLoaded')) {
    return new UnknownTopicError(detail, { cause: e });
  }
  if (isConcurrentTransactions(e)) return new KafkaError(detail, KafkaErrorCode.CONCURRENT_TRANSACTIONS, true, { cause: e });
  if (causeChain(e).some((c) => typeof c.name === 'string' && NETWORK_ERRORS.includes(c.name))) {
    return new KafkaError(detail, KafkaErrorCode.NETWORK, true, { cause: e });
  }
  const chain = causeChain(e);
  const retriable = chain.length > 0 && chain.every((c) => c.retriable !== false) && chain.some((c) => c.retriable === true);
  return new KafkaError(detail, KafkaErrorCode.UNKNOWN, retriable, { cause: e });
}

/** A failed EndTxn: fencing stays fencing, anything else leaves the outcome unknown. */
export function toTransactionError(e: unknown, what: string): Error {
  const mapped = toStreamsError(e, what);
  if (mapped instanceof ProducerFencedError || !(mapped instanceof StreamsError)) return mapped;
  return new TransactionFailedError(`${mapped.message} (transaction outcome unknown; recreate the producer)`, { cause: e });
}
