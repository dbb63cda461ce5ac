/**
 * Restoration of each store kind from its changelog: a restarted application continues
 * windowed and session aggregations where the previous run left them.
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmbeddedKafka,
  Grouped,
  KafkaStreams,
  KafkaStreamsState,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  WindowedSerdes,
} from '../../../src/index.js';
import type { RawRecord } from '../../../src/runtime/task/RawRecord.js';
import { createTopics, produce, readUntil, unique, waitForState } from './helpers.js';

const S = Serdes.String();
const L = Serdes.Long();

/** Windowed key and count of each output record, as `key@start/end=count`. */
function decode(records: readonly RawRecord[], session: boolean): string[] {
  const keySerde = session ? WindowedSerdes.sessionWindowedSerdeFrom(S) : WindowedSerdes.timeWindowedSerdeFrom(S, 60_000);
  return records.map((r) => {
    const k = keySerde.deserializer().deserialize(r.topic, r.key);
    const v = r.value === null ? null : L.deserializer().deserialize(r.topic, r.value);
    return `${k?.key}@${k?.window.start}/${k?.window.end}=${v}`;
  });
}

async function runTwice(build: (input: string, output: string) => Topology, firstInput: [string, string][], secondInput: [string, string][], done: (rs: RawRecord[]) => boolean) {
  const kafka = new EmbeddedKafka();
  const [input, output] = [unique('in'), unique('out')];
  await createTopics(kafka, { [input]: 2, [output]: 2 });
  // in-memory stores restore their whole changelog at every start (RocksDB: persistentRestore.test.ts)
  const config = { applicationId: unique('restore'), commitIntervalMs: 20, cacheMaxBytes: 0, defaultDslStore: 'in_memory' as const };
  const first = new KafkaStreams(build(input, output), config, { kafka });
  await first.start();
  await waitForState(first, KafkaStreamsState.RUNNING);
  // the record timestamps put everything in one window / session
  await produce(kafka, input, firstInput, 10_000);
  await readUntil(kafka, output, (rs) => rs.length >= firstInput.length, 10_000);
  await first.close();
  let restored = 0;
  const second = new KafkaStreams(build(input, output), config, { kafka });
  second.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _s, n) => (restored += n) });
  try {
    await second.start();
    await waitForState(second, KafkaStreamsState.RUNNING);
    await produce(kafka, input, secondInput, 10_000 + firstInput.length);
    const all = await readUntil(kafka, output, done, 10_000);
    return { all, restored };
  } finally {
    await second.close();
  }
}

describe('restoring stores from changelogs', () => {
  it('restores a window store: a windowed count continues after a restart', async () => {
    const build = (input: string, output: string) => {
      const b = new StreamsBuilder();
      b.stream(input, Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
        .count(Materialized.as('windowed-counts'))
        .toStream()
        .to(output, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 60_000), L));
      return b.build();
    };
    const { all, restored } = await runTwice(build, [['k', 'a'], ['k', 'b'], ['k', 'c']], [['k', 'd']], (rs) => decode(rs, false).includes('k@0/60000=4'));
    expect(restored).toBeGreaterThan(0);
    expect(decode(all, false).at(-1)).toBe('k@0/60000=4');
  });

  it('restores a session store: a session count continues after a restart', async () => {
    const build = (input: string, output: string) => {
      const b = new StreamsBuilder();
      b.stream(input, Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(60_000))
        .count(Materialized.as('session-counts'))
        .toStream()
        .to(output, Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L));
      return b.build();
    };
    const { all, restored } = await runTwice(build, [['k', 'a'], ['k', 'b']], [['k', 'c']], (rs) => decode(rs, true).includes('k@10000/10002=3'));
    expect(restored).toBeGreaterThan(0);
    // the earlier session is replaced (a tombstone), then the merged one counts all three
    expect(decode(all, true).slice(-2)).toEqual(['k@10000/10001=null', 'k@10000/10002=3']);
  });
});
