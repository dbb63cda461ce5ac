/**
 * Commits before the interval (context.commit(), persistent stores' uncommitted bytes)
 * and per-source reset policies, on the embedded broker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  EmbeddedKafka,
  KafkaStreams,
  Materialized,
  Produced,
  type ProcessorContext,
  Serdes,
  StreamsBuilder,
  Topology,
} from '../../../src/index.js';
import { ConfigError } from '../../../src/errors.js';
import { asStrings, createTopics, eventually, produce, readUntil, unique } from './helpers.js';

const S = Serdes.String();

async function committed(kafka: EmbeddedKafka, applicationId: string, topic: string): Promise<number | null> {
  const admin = await kafka.admin();
  const [c] = await admin.fetchCommittedOffsets(applicationId, [{ topic, partition: 0 }]);
  return c?.offset ?? null;
}

describe('early commits and reset policies', () => {
  const open: KafkaStreams[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async (topology: Topology, config: Record<string, unknown>, kafka: EmbeddedKafka) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-early-'));
    dirs.push(stateDir);
    const s = new KafkaStreams(topology, { applicationId: unique('early'), stateDir, pollMs: 10, ...config }, { kafka });
    open.push(s);
    await s.start();
    return s;
  };

  it('context.commit() commits at once, long before commitIntervalMs', async () => {
    const kafka = new EmbeddedKafka();
    const input = unique('in');
    await createTopics(kafka, { [input]: 1 });
    const seen: string[] = [];
    const t = new Topology()
      .addSource({ name: 'src', keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() }, input)
      .addProcessor<string, string, never, never>('p', () => {
        let ctx: ProcessorContext<never, never>;
        return {
          init: (c) => {
            ctx = c;
          },
          process: (r) => {
            seen.push(r.value);
            if (r.value === 'commit') ctx.commit();
          },
        };
      }, 'src');
    const applicationId = unique('commit-req');
    await start(t, { applicationId, commitIntervalMs: 600_000 }, kafka);
    await produce(kafka, input, [['k', 'a'], ['k', 'b']]);
    expect(await eventually(() => seen.length === 2, 10_000)).toBe(true);
    // processed, but no commit requested and the interval is 10 minutes
    await new Promise((r) => setTimeout(r, 200));
    expect(await committed(kafka, applicationId, input)).toBeNull();
    await produce(kafka, input, [['k', 'commit']]);
    expect(await eventually(async () => (await committed(kafka, applicationId, input)) === 3, 10_000)).toBe(true);
  }, 30_000);

  it('commits early when RocksDB stores hold more uncommitted bytes than statestoreUncommittedMaxBytes', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .groupByKey()
      .count(Materialized.as<string, number>('counts'))
      .toStream()
      .to(output, Produced.with(S, Serdes.Long()));
    const applicationId = unique('overlay');
    // cache 0: every write reaches the RocksDB store's uncommitted overlay at once
    await start(b.build(), { applicationId, commitIntervalMs: 600_000, cacheMaxBytes: 0, statestoreUncommittedMaxBytes: 100 }, kafka);
    await produce(
      kafka,
      input,
      Array.from({ length: 20 }, (_, i) => [`key-${i}`, 'v'] as const),
    );
    expect(await eventually(async () => ((await committed(kafka, applicationId, input)) ?? 0) > 0, 10_000)).toBe(true);
  }, 30_000);

  it("starts a source with reset policy 'latest' at the end, others at the beginning", async () => {
    const kafka = new EmbeddedKafka();
    const [early, late, output] = [unique('early'), unique('late'), unique('out')];
    await createTopics(kafka, { [early]: 1, [late]: 1, [output]: 1 });
    await produce(kafka, early, [['e', 'old-early']]);
    await produce(kafka, late, [['l', 'old-late']]);
    const b = new StreamsBuilder();
    const fromLatest = b.stream(late, Consumed.with(S, S).withOffsetResetPolicy('latest'));
    b.stream(early, Consumed.with(S, S)).merge(fromLatest).to(output, Produced.with(S, S));
    const s = await start(b.build(), { commitIntervalMs: 50 }, kafka);
    expect(await eventually(() => s.state() === 'RUNNING', 10_000)).toBe(true);
    // the 'latest' source has its position by now; what is produced from here on is read
    await new Promise((r) => setTimeout(r, 200));
    await produce(kafka, late, [['l', 'new-late']]);
    const got = await readUntil(kafka, output, (rs) => rs.length >= 2, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const all = asStrings(await readUntil(kafka, output, () => false, 300));
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(all.map(([, v]) => v).sort()).toEqual(['new-late', 'old-early']);
  }, 30_000);

  it("refuses reset policy 'none' when the client is constructed", () => {
    const b = new StreamsBuilder();
    b.stream('x', Consumed.with(S, S).withOffsetResetPolicy('none')).to('y');
    expect(() => new KafkaStreams(b.build(), { applicationId: 'none-reset' }, { kafka: new EmbeddedKafka() })).toThrow(ConfigError);
  });
});
