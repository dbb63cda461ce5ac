/**
 * Which Kafka a KafkaStreams client talks to when none is injected: the process-wide
 * embedded broker when no bootstrapServers are configured (demos, fast tests: several
 * clients in one process share it, as they would share a cluster), otherwise kafkajs.
 * kafkajs is imported lazily so that embedded users never load it.
 */
import { EmbeddedKafka } from './kafka/embedded/index.js';
import type { KafkaPort } from './kafka/KafkaPort.js';
import type { ResolvedStreamsConfig } from './StreamsConfig.js';

let shared: EmbeddedKafka | null = null;

/** The embedded broker every KafkaStreams client without bootstrapServers uses in this process. */
export function sharedEmbeddedKafka(): EmbeddedKafka {
  shared ??= new EmbeddedKafka();
  return shared;
}

/** The port for `config`, and whether the caller owns it (and must close it). */
export async function defaultPort(config: ResolvedStreamsConfig, clientId: string): Promise<{ port: KafkaPort; owned: boolean }> {
  const servers = config.bootstrapServers;
  if (servers === undefined || (Array.isArray(servers) ? servers.length === 0 : servers.trim() === '')) {
    return { port: sharedEmbeddedKafka(), owned: false };
  }
  const { KafkajsPort } = await import('./kafka/kafkajs/index.js');
  const client = config.kafkaClient ?? {};
  const port = new KafkajsPort({
    brokers: servers,
    clientId,
    logLevel: client.logLevel,
    connectionTimeoutMs: client.connectionTimeoutMs,
    requestTimeoutMs: client.requestTimeoutMs,
    ssl: client.ssl,
    sasl: client.sasl,
  });
  return { port, owned: true };
}
