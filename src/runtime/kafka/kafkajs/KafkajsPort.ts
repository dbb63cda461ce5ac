/**
 * The Kafka port over kafkajs 2.2.4. This folder is the only place in kstreams that
 * imports kafkajs (a lint rule enforces it).
 */
// first: fixes kafkajs' read_committed filter before kafkajs loads (see the file)
import './abortedFilterFix.js';
import { Kafka, type KafkaConfig, type LogEntry, logLevel } from 'kafkajs';
import type {
  GroupConsumer,
  GroupConsumerConfig,
  KafkaAdmin,
  KafkaPort,
  KafkaProducer,
  ProducerConfig,
  TransactionalProducer,
  TransactionalProducerConfig,
} from '../KafkaPort.js';
import { KafkajsAdmin } from './KafkajsAdmin.js';
import { KafkajsConsumer } from './KafkajsConsumer.js';
import { KafkajsProducer } from './KafkajsProducer.js';
import { KafkajsTransactionalProducer } from './KafkajsTransactionalProducer.js';

export type KafkajsLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkajsPortOptions {
  /** `host:port` strings, or one comma-separated string. */
  readonly brokers: string | readonly string[];
  readonly clientId?: string;
  /** kafkajs log level (default 'warn'). Known noise is logged at debug, see below. */
  readonly logLevel?: KafkajsLogLevel;
  /** Where log lines go (default console.error). */
  readonly log?: (level: KafkajsLogLevel, namespace: string, message: string, extra: Record<string, unknown>) => void;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Longest a consumer fetch waits on the broker (default 500). */
  readonly fetchMaxWaitMs?: number;
  /** TLS: `true` or Node TLS options, passed to kafkajs as is. */
  readonly ssl?: KafkaConfig['ssl'];
  /** SASL authentication, passed to kafkajs as is. */
  readonly sasl?: KafkaConfig['sasl'];
}

const LEVELS: Record<KafkajsLogLevel, number> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

function levelName(level: number): KafkajsLogLevel {
  return level <= logLevel.ERROR ? 'error' : level <= logLevel.WARN ? 'warn' : level <= logLevel.INFO ? 'info' : 'debug';
}

/**
 * kafkajs logs some expected conditions as errors or warnings; they are logged at debug:
 * every error response at the connection level, and every failed send attempt of a
 * producer (each is either retried or reaches the caller, where the adapter maps it:
 * fencing, for one, is logged by kafkajs as an error and then surfaced), the
 * CONCURRENT_TRANSACTIONS of back-to-back transactions that kafkajs retries (issue
 * #1315), and the warning about bounded retries on idempotent producers (see
 * PRODUCER_RETRY: bounded retries keep idempotence).
 */
function isKnownNoise(namespace: string, message: string, extra: Record<string, unknown>): boolean {
  if (namespace === 'Connection' && message.startsWith('Response ')) return true;
  if (namespace === 'Producer' && 'retryCount' in extra) return true;
  return /another concurrent operation on the same transaction|Limiting retries for the idempotent producer/.test(message);
}

export class KafkajsPort implements KafkaPort {
  readonly name = 'kafkajs';
  private readonly kafka: Kafka;
  private readonly clients = new Set<{ close(): Promise<void> }>();

  constructor(private readonly options: KafkajsPortOptions) {
    const brokers = typeof options.brokers === 'string' ? options.brokers.split(',').map((b) => b.trim()) : [...options.brokers];
    const threshold = LEVELS[options.logLevel ?? 'warn'];
    const sink = options.log ?? ((level, ns, message, extra) => console.error(`[kafkajs ${level}] ${ns}: ${message}`, extra));
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'kstreams',
      brokers,
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: threshold,
      logCreator: () => (entry: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...extra } = entry.log as LogEntry['log'] & { logger?: unknown };
        const level = isKnownNoise(entry.namespace, message, extra) ? logLevel.DEBUG : entry.level;
        if (level <= threshold && threshold !== logLevel.NOTHING) sink(levelName(level), entry.namespace, message, extra);
      },
    });
  }

  async admin(): Promise<KafkaAdmin> {
    return this.track(await KafkajsAdmin.create(this.kafka));
  }

  async consumer(config: GroupConsumerConfig): Promise<GroupConsumer> {
    return this.track(new KafkajsConsumer(this.kafka, config, { fetchMaxWaitMs: this.options.fetchMaxWaitMs }));
  }

  async producer(_config?: ProducerConfig): Promise<KafkaProducer> {
    return this.track(await KafkajsProducer.create(this.kafka));
  }

  async transactionalProducer(config: TransactionalProducerConfig): Promise<TransactionalProducer> {
    return this.track(await KafkajsTransactionalProducer.create(this.kafka, config));
  }

  async close(): Promise<void> {
    const all = [...this.clients];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => {})));
  }

  private track<T extends { close(): Promise<void> }>(client: T): T {
    this.clients.add(client);
    return client;
  }
}
