/**
 * Suppression buffers and the shared store of outer stream-stream joins are restored from
 * their changelogs: records pending in them when an instance stops (cleanly or by a
 * crash) are emitted by the next instance when their windows close, each exactly once,
 * with the values Kafka Streams gives without a failure. The embedded broker; the same
 * scenario runs on a real broker in ../restoreSuppressAndOuterJoin.integration.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { EmbeddedKafka, KafkaStreams } from '../../../src/index.js';
import {
  JOIN_EXPECTED,
  OUTER_STORE,
  outerJoinScenario,
  type ScenarioEnv,
  type StopMode,
  SUPPRESS_EXPECTED,
  SUPPRESS_STORE,
  suppressScenario,
} from '../fixtures/suppressOuterJoinScenario.js';

function embedded(): ScenarioEnv {
  const kafka = new EmbeddedKafka();
  return {
    port: kafka,
    streams: (topology, config, commitHook) => new KafkaStreams(topology, { commitIntervalMs: 20, ...config }, { kafka, commitHook }),
    timeoutMs: 15_000,
  };
}

describe('restoring suppression buffers and outer join stores', () => {
  let warn: MockInstance<typeof console.warn>;
  let info: MockInstance<typeof console.info>;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn');
    info = vi.spyOn(console, 'info').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const notRestorable = () => warn.mock.calls.filter((c) => String(c[0]).includes('cannot be restored'));

  for (const mode of ['close', 'crash'] as StopMode[]) {
    it(`suppress(untilWindowCloses): windows pending at a ${mode} are emitted once after the restart`, async () => {
      const { output, restored } = await suppressScenario(embedded(), mode);
      expect(output).toEqual(SUPPRESS_EXPECTED);
      expect(restored.get(SUPPRESS_STORE)).toBeGreaterThan(0);
      expect(notRestorable()).toEqual([]);
      // one line per restored task with its records and duration
      expect(info.mock.calls.some((c) => /^kstreams: task 0_0: restored \d+ record\(s\) into 2 store\(s\) from their changelogs in \d+ ms$/.test(String(c[0])))).toBe(true);
    }, 60_000);

    it(`outer stream-stream join: unmatched records pending at a ${mode} are emitted once after the restart`, async () => {
      const { output, restored } = await outerJoinScenario(embedded(), mode);
      expect(output).toEqual(JOIN_EXPECTED);
      expect(restored.get(OUTER_STORE)).toBeGreaterThan(0);
      expect(notRestorable()).toEqual([]);
    }, 60_000);
  }
});
