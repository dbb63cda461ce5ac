/**
 * The Kafka port contract against a REAL broker through the kafkajs adapter. Never
 * mocked. Start a broker with `bash scripts/kafka.sh up`, then run with the printed
 * address: `KAFKA_BOOTSTRAP=127.0.0.1:<port> npx vitest run test/runtime/kafka`
 * (and `bash scripts/kafka.sh down` afterwards).
 */
import { describe } from 'vitest';
import { KafkajsPort } from '../../../src/runtime/kafka/kafkajs/index.js';
import { portContract } from './portContract.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `kafkajs adapter on the broker at ${bootstrap}`
  : 'kafkajs adapter on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

describe.skipIf(bootstrap === '')(title, () => {
  portContract('kafkajs', async () => {
    const port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-contract', logLevel: 'error', fetchMaxWaitMs: 200 });
    return {
      port,
      // brokers refuse session timeouts below group.min.session.timeout.ms (6 s)
      consumerDefaults: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 15_000 },
      patienceMs: 20_000,
      close: () => port.close(),
    };
  });
});
