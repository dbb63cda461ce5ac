/**
 * max.task.idle.ms on a REAL broker (kafkajs): a stream-table join started on existing
 * data waits for the table records the broker has, as Kafka Streams does with its default
 * max.task.idle.ms of 0 (the lag of empty partitions comes from ListOffsets here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { JOIN_RECORDS as N, joinExisting } from './fixtures/taskIdleScenario.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `max.task.idle.ms on the broker at ${bootstrap}`
  : 'max.task.idle.ms on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-idle-it', logLevel: 'error', fetchMaxWaitMs: 100 });
  });
  afterAll(async () => {
    await port.close();
  });

  it('waits for table records the broker has before joining later stream records (default 0)', async () => {
    const out = await joinExisting(port, 0, {
      bootstrapServers: bootstrap,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      replicationFactor: 1,
      kafkaClient: { logLevel: 'error' },
    });
    expect(out).toHaveLength(N);
    expect(out.filter(([, v]) => v?.endsWith(':UNKNOWN'))).toEqual([]);
    expect(out[0]).toEqual([`c${N - 1}`, `order0:name${N - 1}`]);
  }, 120_000);
});
