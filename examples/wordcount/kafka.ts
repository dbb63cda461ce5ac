/**
 * Word count on KafkaStreams. With no KAFKA_BOOTSTRAP it runs on the in-process
 * embedded broker (no Kafka needed); with KAFKA_BOOTSTRAP=host:port it runs on that
 * cluster through kafkajs. It creates the topics, starts the word-count application and
 * a second one that prints the counts as they change, produces a few lines, and keeps
 * running until SIGTERM or SIGINT, when both close cleanly (committing their work).
 *
 *   npx tsx examples/wordcount/kafka.ts           # Ctrl-C to stop
 *   npx tsx examples/wordcount/kafka.ts --once    # stop after the counts are printed
 */
import { Consumed, KafkaStreams, type KafkaPort, KafkaStreamsState, Serdes, StreamsBuilder, sharedEmbeddedKafka } from '../../src/index.js';
import { wordCountTopology } from './topology.js';

const INPUT = 'streams-plaintext-input';
const OUTPUT = 'streams-wordcount-output';
const bootstrapServers = process.env.KAFKA_BOOTSTRAP;

/** The Kafka the example talks to for its own topics and input: the same one the apps use. */
async function kafkaPort(): Promise<KafkaPort> {
  if (bootstrapServers === undefined) return sharedEmbeddedKafka();
  const { KafkajsPort } = await import('../../src/runtime/kafka/kafkajs/index.js');
  return new KafkajsPort({ brokers: bootstrapServers, clientId: 'wordcount-example', logLevel: 'error' });
}

/** A second application that prints every count update. */
function printer(): KafkaStreams {
  const b = new StreamsBuilder();
  b.stream(OUTPUT, Consumed.with(Serdes.String(), Serdes.Long())).foreach((word, count) => console.log(`  ${word}: ${count}`));
  return new KafkaStreams(b.build(), { applicationId: 'wordcount-printer', bootstrapServers, commitIntervalMs: 100 });
}

async function main(): Promise<void> {
  const port = await kafkaPort();
  const admin = await port.admin();
  await admin.createTopics([
    { name: INPUT, numPartitions: 2, replicationFactor: -1 },
    { name: OUTPUT, numPartitions: 2, replicationFactor: -1 },
  ]);
  await admin.close();

  // cache off: every count update goes downstream at once (the default cache batches them per commit)
  const wordCount = new KafkaStreams(wordCountTopology(INPUT, OUTPUT), {
    applicationId: 'wordcount-demo',
    bootstrapServers,
    commitIntervalMs: 100,
    cacheMaxBytes: 0,
  });
  wordCount.setStateListener((now, before) => console.log(`word count: ${before} -> ${now}`));
  const print = printer();
  await wordCount.start();
  await print.start();

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing`);
    await Promise.all([wordCount.close({ timeoutMs: 10_000 }), print.close({ timeoutMs: 10_000 })]);
    if (port !== sharedEmbeddedKafka()) await port.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  while (wordCount.state() !== KafkaStreamsState.RUNNING) await new Promise((r) => setTimeout(r, 20));
  const lines = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
  const producer = await port.producer();
  const text = Serdes.String().serializer();
  for (const line of lines) {
    console.log(`> ${line}`);
    await producer.send([{ topic: INPUT, key: null, value: text.serialize(INPUT, line) }]);
    await new Promise((r) => setTimeout(r, 300));
  }
  await producer.close();
  if (process.argv.includes('--once')) {
    await new Promise((r) => setTimeout(r, 500));
    await shutdown('--once');
  } else {
    console.log('running; send SIGTERM or press Ctrl-C to stop');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
