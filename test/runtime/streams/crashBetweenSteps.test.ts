/**
 * A crash after each numbered step of the commit protocol (TaskManager), and between two
 * commits, with RocksDB stores and a state directory kept across the restart, on the
 * embedded broker. The scenario and what it checks: test/runtime/fixtures/crashScenario.ts.
 * The same scenario runs on a real broker in test/runtime/crashBetweenSteps.integration.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedKafka } from '../../../src/index.js';
import { CRASH_POINTS, runCrashScenario, type ScenarioBroker } from '../fixtures/crashScenario.js';

describe('a crash between commit steps, RocksDB stores, embedded broker', () => {
  const kafka = new EmbeddedKafka();
  const broker: ScenarioBroker = { port: kafka, config: {}, waitMs: 20_000 };
  afterAll(async () => {
    await kafka.close();
  });

  describe.each([
    ['with the record cache', 10 * 1024 * 1024],
    ['with cacheMaxBytes 0', 0],
  ])('%s', (_name, cacheMaxBytes) => {
    it.each(CRASH_POINTS)('crash %s: the restored store holds what Kafka committed, and the counts end right', async (crashAt) => {
      const r = await runCrashScenario(broker, { crashAt, cacheMaxBytes });
      // the points that distinguish the crash points (the scenario checks the details)
      if (crashAt === 'kafka-committed') expect(r.restored).toBeGreaterThan(0);
      if (crashAt === 'caches-flushed' || crashAt === 'mid-processing') expect(r.reprocessed).toBeGreaterThan(0);
      if (cacheMaxBytes > 0) expect(r.surplus).toBe(0);
    }, 60_000);
  });
});
