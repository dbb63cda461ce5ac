import { ConfigError } from '../errors.js';
import type { Serde } from '../serdes/Serde.js';
import { FailOnInvalidTimestamp, type TimestampExtractor } from '../topology/TimestampExtractor.js';
import type { DeserializationHandler, ProcessingHandler, ProductionHandler } from './ErrorHandlers.js';

/** Delivery guarantee of a KafkaStreams application. */
export const ProcessingGuarantee = {
  AT_LEAST_ONCE: 'at_least_once',
  EXACTLY_ONCE_V2: 'exactly_once_v2',
} as const;
export type ProcessingGuarantee = (typeof ProcessingGuarantee)[keyof typeof ProcessingGuarantee];

/** Application config, with Kafka Streams' names in camelCase. Only `applicationId` is required. */
export interface StreamsConfig {
  /** Names the consumer group, internal topics (`<applicationId>-...`) and the state directory. */
  applicationId: string;
  bootstrapServers?: string | string[];
  numStreamThreads?: number;
  processingGuarantee?: ProcessingGuarantee;
  /** Default 30000, or 100 under exactly_once_v2. */
  commitIntervalMs?: number;
  stateDir?: string;
  /** Record cache size shared by the stores of a thread (default 10 MiB). 0 forwards every update. */
  cacheMaxBytes?: number;
  replicationFactor?: number;
  /** Used where a node has no serde of its own. There is none by default, as in Kafka. */
  defaultKeySerde?: Serde<any>;
  defaultValueSerde?: Serde<any>;
  defaultTimestampExtractor?: TimestampExtractor;
  maxTaskIdleMs?: number;
  bufferedRecordsPerPartition?: number;
  /**
   * The bottom store of DSL stores whose Materialized names no store type
   * (Kafka's default.dsl.store). Default 'rocks_db', as in Kafka: state survives restarts
   * in `stateDir` and a restart restores only the changelog's tail.
   */
  defaultDslStore?: 'rocks_db' | 'in_memory';
  /** host:port of this instance for interactive queries. */
  applicationServer?: string;
  deserializationExceptionHandler?: DeserializationHandler;
  productionExceptionHandler?: ProductionHandler;
  processingExceptionHandler?: ProcessingHandler;
  /** Prefix of the client ids of this instance's Kafka clients (default `<applicationId>-<processId>`). */
  clientId?: string;
  /** Longest a stream thread waits in one poll for records (Kafka's poll.ms, default 100). */
  pollMs?: number;
  /** Group session timeout of the stream threads' consumers (default 45000, Kafka's). */
  sessionTimeoutMs?: number;
  /** Heartbeat period of the consumers (kafkajs; default 3000). */
  heartbeatIntervalMs?: number;
  /** How long the group waits for members to rejoin in a rebalance (kafkajs; default 60000). */
  rebalanceTimeoutMs?: number;
  /** How often consumed records of repartition topics are deleted (default 30000, Kafka's). */
  repartitionPurgeIntervalMs?: number;
  /**
   * Bytes the persistent stores of a thread may hold uncommitted (written since the last
   * commit, kept in memory until commit step 3) before the thread commits early
   * (KIP-892's statestore.uncommitted.max.bytes; default 64 MiB).
   */
  statestoreUncommittedMaxBytes?: number;
  /** Options of the Kafka client (kafkajs): TLS, SASL, log level, timeouts. */
  kafkaClient?: KafkaClientOptions;
  /** Anything else, passed through to appConfigs(). */
  [key: string]: unknown;
}

/** How the Kafka client connects, passed to kafkajs as is (see its documentation). */
export interface KafkaClientOptions {
  /** `true`, or Node TLS options (`ca`, `cert`, `key`, `rejectUnauthorized`, ...). */
  ssl?: boolean | import('node:tls').ConnectionOptions;
  /** SASL credentials, e.g. `{ mechanism: 'scram-sha-512', username, password }`. */
  sasl?:
    | { mechanism: 'plain'; username: string; password: string }
    | { mechanism: 'scram-sha-256'; username: string; password: string }
    | { mechanism: 'scram-sha-512'; username: string; password: string };
  /** kafkajs log level (default 'warn'). */
  logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The config with defaults filled in. */
export interface ResolvedStreamsConfig extends StreamsConfig {
  processingGuarantee: ProcessingGuarantee;
  commitIntervalMs: number;
  cacheMaxBytes: number;
  numStreamThreads: number;
  replicationFactor: number;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  defaultTimestampExtractor: TimestampExtractor;
  maxTaskIdleMs: number;
  bufferedRecordsPerPartition: number;
  deserializationExceptionHandler: DeserializationHandler;
  productionExceptionHandler: ProductionHandler;
  processingExceptionHandler: ProcessingHandler;
}

/**
 * Stands in for a missing default serde (Kafka has none by default either).
 * Asking it for a serializer or deserializer fails at once, so a node that
 * needs it fails when the task starts, not on its first record.
 */
function missingSerde(which: 'key' | 'value'): Serde<unknown> {
  const fail = (): never => {
    const cfg = which === 'key' ? 'defaultKeySerde' : 'defaultValueSerde';
    throw new ConfigError(
      `No ${which} serde was given and no default is configured. Pass serdes to the operator ` +
        `(Consumed.with, Produced.with, Grouped.with, Materialized.withValueSerde, ...) or set ${cfg} in the config.`,
    );
  };
  return { serializer: fail, deserializer: fail };
}

const MiB = 1024 * 1024;

/** Checks a config and fills in Kafka's defaults. */
export function resolveConfig(config: StreamsConfig): ResolvedStreamsConfig {
  if (!config || typeof config.applicationId !== 'string' || config.applicationId.length === 0) {
    throw new ConfigError('applicationId is required: set it to a name unique to this application, e.g. { applicationId: "word-count" }');
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(config.applicationId)) {
    throw new ConfigError(`applicationId '${config.applicationId}' may only contain ASCII letters, digits, '.', '_' and '-'`);
  }
  const guarantee = config.processingGuarantee ?? ProcessingGuarantee.AT_LEAST_ONCE;
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once_v2', got '${String(guarantee)}'`);
  }
  const num = (name: string, v: unknown, dflt: number, min: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new ConfigError(`${name} must be a number >= ${min}, got ${String(v)}`);
    }
    return v;
  };
  return {
    ...config,
    processingGuarantee: guarantee,
    commitIntervalMs: num('commitIntervalMs', config.commitIntervalMs, guarantee === 'exactly_once_v2' ? 100 : 30000, 0),
    cacheMaxBytes: num('cacheMaxBytes', config.cacheMaxBytes, 10 * MiB, 0),
    numStreamThreads: num('numStreamThreads', config.numStreamThreads, 1, 1),
    replicationFactor: num('replicationFactor', config.replicationFactor, -1, -1),
    defaultKeySerde: config.defaultKeySerde ?? missingSerde('key'),
    defaultValueSerde: config.defaultValueSerde ?? missingSerde('value'),
    defaultTimestampExtractor: config.defaultTimestampExtractor ?? new FailOnInvalidTimestamp(),
    maxTaskIdleMs: num('maxTaskIdleMs', config.maxTaskIdleMs, 0, -1),
    bufferedRecordsPerPartition: num('bufferedRecordsPerPartition', config.bufferedRecordsPerPartition, 1000, 1),
    deserializationExceptionHandler: config.deserializationExceptionHandler ?? 'logAndFail',
    productionExceptionHandler: config.productionExceptionHandler ?? 'fail',
    processingExceptionHandler: config.processingExceptionHandler ?? 'logAndFail',
  };
}
