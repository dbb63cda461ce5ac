/**
 * The crash-between-commit-steps scenario (test/runtime/fixtures/crashScenario.ts) on a REAL
 * Kafka broker through kafkajs: a crash after each numbered commit step and between two
 * commits, RocksDB stores, a restart on the same state directory. vitest's globalSetup
 * starts a local KRaft broker (scripts/kafka.sh) and sets KAFKA_BOOTSTRAP; or run against
 * your own: `KAFKA_BOOTSTRAP=127.0.0.1:<port> npx vitest run test/runtime/crashBetweenSteps.integration.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { CRASH_POINTS, runCrashScenario, type ScenarioBroker } from './fixtures/crashScenario.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `a crash between commit steps, RocksDB stores, on the broker at ${bootstrap}`
  : 'a crash between commit steps on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  let broker: ScenarioBroker;

  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-it-crash', logLevel: 'error', fetchMaxWaitMs: 100 });
    // real-broker settings: brokers refuse session timeouts below 6 s; short heartbeats make rebalances prompt
    broker = { port, config: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 15_000, replicationFactor: 1 }, waitMs: 60_000 };
  });
  afterAll(async () => {
    await port.close();
  });

  describe.each([
    ['with the record cache', 10 * 1024 * 1024],
    ['with cacheMaxBytes 0', 0],
  ])('%s', (_name, cacheMaxBytes) => {
    it.each(CRASH_POINTS)('crash %s: the restored store holds what Kafka committed, and the counts end right', async (crashAt) => {
      const r = await runCrashScenario(broker, { crashAt, cacheMaxBytes });
      if (crashAt === 'kafka-committed') expect(r.restored).toBeGreaterThan(0);
      if (crashAt === 'caches-flushed' || crashAt === 'mid-processing') expect(r.reprocessed).toBeGreaterThan(0);
      if (cacheMaxBytes > 0) expect(r.surplus).toBe(0);
    }, 240_000);
  });
});
