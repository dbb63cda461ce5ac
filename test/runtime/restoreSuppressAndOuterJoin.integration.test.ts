/**
 * On a REAL Kafka broker through kafkajs: records pending in a suppression buffer and in
 * the shared store of an outer stream-stream join when an instance stops (cleanly, or by
 * a crash right after a commit) are restored from their changelogs by the next instance
 * and emitted once their windows close, each exactly once, with Kafka Streams' values.
 * The scenario is test/runtime/fixtures/suppressOuterJoinScenario.ts, also run on the
 * embedded broker. vitest's globalSetup starts a local KRaft broker (scripts/kafka.sh)
 * and sets KAFKA_BOOTSTRAP; or run against your own:
 * `KAFKA_BOOTSTRAP=127.0.0.1:<port> npx vitest run test/runtime/restoreSuppressAndOuterJoin.integration.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaStreams } from '../../src/index.js';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import {
  JOIN_EXPECTED,
  OUTER_STORE,
  outerJoinScenario,
  type ScenarioEnv,
  type StopMode,
  SUPPRESS_EXPECTED,
  SUPPRESS_STORE,
  suppressScenario,
} from './fixtures/suppressOuterJoinScenario.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `restoring suppression buffers and outer join stores on the broker at ${bootstrap}`
  : 'restoring suppression buffers and outer join stores on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  let env: ScenarioEnv;

  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-it-restore', logLevel: 'error', fetchMaxWaitMs: 100 });
    env = {
      port,
      // real-broker settings: brokers refuse session timeouts below 6 s; short heartbeats make rebalances prompt
      streams: (topology, config, commitHook) =>
        new KafkaStreams(
          topology,
          {
            bootstrapServers: bootstrap,
            commitIntervalMs: 100,
            sessionTimeoutMs: 10_000,
            heartbeatIntervalMs: 500,
            rebalanceTimeoutMs: 15_000,
            replicationFactor: 1,
            kafkaClient: { logLevel: 'error' },
            ...config,
          },
          { commitHook },
        ),
      timeoutMs: 60_000,
    };
  });
  afterAll(async () => {
    await port.close();
  });

  for (const mode of ['close', 'crash'] as StopMode[]) {
    it(`suppress(untilWindowCloses): windows pending at a ${mode} are emitted once after the restart`, async () => {
      const { output, restored } = await suppressScenario(env, mode);
      expect(output).toEqual(SUPPRESS_EXPECTED);
      expect(restored.get(SUPPRESS_STORE)).toBeGreaterThan(0);
    }, 240_000);

    it(`outer stream-stream join: unmatched records pending at a ${mode} are emitted once after the restart`, async () => {
      const { output, restored } = await outerJoinScenario(env, mode);
      expect(output).toEqual(JOIN_EXPECTED);
      expect(restored.get(OUTER_STORE)).toBeGreaterThan(0);
    }, 240_000);
  }
});
