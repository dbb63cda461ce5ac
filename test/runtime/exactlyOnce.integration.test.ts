/**
 * exactly_once_v2 on a REAL Kafka broker (kafkajs), never mocked: a crash after each
 * commit step, and a task fenced by a newer producer with its transactional id, end
 * with every count emitted exactly once when read with read_committed. The scenarios
 * are shared with the embedded-broker tests (test/runtime/fixtures/eosScenarios.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { crashAtStep, type EosEnv, fencedTask } from './fixtures/eosScenarios.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `exactly_once_v2 on the broker at ${bootstrap}`
  : 'exactly_once_v2 on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  const env = (): EosEnv => ({
    port,
    timeoutMs: 45_000,
    config: {
      bootstrapServers: bootstrap,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 15_000,
      replicationFactor: 1,
      kafkaClient: { logLevel: 'error' },
    },
  });
  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-eos-it', logLevel: 'error', fetchMaxWaitMs: 100 });
  });
  afterAll(async () => {
    await port.close();
  });

  it('a crash with the transaction open: it is aborted, no output is duplicated', async () => {
    await crashAtStep(env(), 'caches-flushed');
  }, 120_000);

  it('a crash between the transaction commit and the store write: no duplicate, no loss', async () => {
    await crashAtStep(env(), 'kafka-committed');
  }, 120_000);

  it('a fenced task is closed dirty and re-created from the committed offsets', async () => {
    await fencedTask(env());
  }, 120_000);
});
