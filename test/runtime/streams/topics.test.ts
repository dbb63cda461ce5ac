/**
 * Topics at start, by Kafka's rules: source topics must exist, join inputs must be
 * co-partitioned, repartition topics take the largest upstream partition count (unless
 * fixed), changelogs the partition count of their sub-topology, with the right configs.
 */
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  CopartitionError,
  EmbeddedKafka,
  Grouped,
  KafkaStreams,
  KafkaStreamsState,
  Materialized,
  MissingSourceTopicError,
  Produced,
  Repartitioned,
  Serdes,
  StreamsBuilder,
  TimeWindows,
} from '../../../src/index.js';
import { createTopics, unique } from './helpers.js';

const S = Serdes.String();

describe('KafkaStreams topics at start', () => {
  it('fails to start with a clear error naming the missing source topics, and ends in ERROR', async () => {
    const kafka = new EmbeddedKafka();
    const present = unique('present');
    const [missingA, missingB] = [unique('missing-a'), unique('missing-b')];
    await createTopics(kafka, { [present]: 1 });
    const b = new StreamsBuilder();
    b.stream([present, missingB, missingA], Consumed.with(S, S)).to(unique('out'), Produced.with(S, S));
    const states: string[] = [];
    const streams = new KafkaStreams(b.build(), { applicationId: unique('app') }, { kafka });
    streams.setStateListener((now, before) => states.push(`${before}->${now}`));
    const error = await streams.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSourceTopicError);
    expect((error as MissingSourceTopicError).topics).toEqual([missingA, missingB].sort());
    expect((error as Error).message).toContain(missingA);
    expect((error as Error).message).toContain(missingB);
    expect(streams.state()).toBe(KafkaStreamsState.ERROR);
    expect(states).toEqual(['CREATED->REBALANCING', 'REBALANCING->PENDING_ERROR', 'PENDING_ERROR->ERROR']);
    expect(await streams.close()).toBe(true);
  });

  it('refuses join inputs with different partition counts, naming the topics and counts', async () => {
    const kafka = new EmbeddedKafka();
    const [left, right] = [unique('left'), unique('right')];
    await createTopics(kafka, { [left]: 2, [right]: 3 });
    const b = new StreamsBuilder();
    const table = b.table(right, Consumed.with(S, S));
    b.stream(left, Consumed.with(S, S))
      .join(table, (l, r) => `${l}+${r}`)
      .to(unique('out'), Produced.with(S, S));
    const streams = new KafkaStreams(b.build(), { applicationId: unique('app') }, { kafka });
    const error = await streams.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopartitionError);
    expect((error as CopartitionError).partitions).toEqual({ [left]: 2, [right]: 3 });
    expect((error as Error).message).toContain('Topics not co-partitioned');
    expect((error as Error).message).toContain(`${left}=2`);
    expect((error as Error).message).toContain(`${right}=3`);
    expect(streams.state()).toBe(KafkaStreamsState.ERROR);
  });

  it('creates repartition topics with the largest upstream count and changelogs with their sub-topology count and configs', async () => {
    const kafka = new EmbeddedKafka();
    const [a, c, d, out] = [unique('a'), unique('c'), unique('d'), unique('out')];
    await createTopics(kafka, { [a]: 2, [c]: 5, [d]: 3, [out]: 1 });
    const b = new StreamsBuilder();
    // two topics into one sub-topology: its repartition topic gets max(2, 5) = 5
    b.stream([a, c], Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.with<string, string>(S, S).withName('by-value'))
      .count(Materialized.as<string, number>('counts'))
      .toStream()
      .to(out, Produced.with(S, Serdes.Long()));
    // a fixed count wins over the rule
    b.stream(d, Consumed.with(S, S))
      .repartition(Repartitioned.with<string, string>(S, S).withName('fixed').withNumberOfPartitions(7))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count(Materialized.as('windowed'));
    const applicationId = unique('app');
    const streams = new KafkaStreams(b.build(), { applicationId }, { kafka });
    await streams.start();
    const topic = (name: string) => kafka.cluster.topic(`${applicationId}-${name}`);
    expect(topic('by-value-repartition')?.partitions.length).toBe(5);
    expect(topic('by-value-repartition')?.configs['cleanup.policy']).toBe('delete');
    expect(topic('counts-changelog')?.partitions.length).toBe(5);
    expect(topic('counts-changelog')?.configs['cleanup.policy']).toBe('compact');
    expect(topic('fixed-repartition')?.partitions.length).toBe(7);
    expect(topic('windowed-changelog')?.partitions.length).toBe(7);
    // retention: the store's (window size + grace) plus Kafka's one extra day
    expect(topic('windowed-changelog')?.configs).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(60_000 + 86_400_000) });
    await streams.close();
  });

  it('refuses an existing internal topic whose partition count no longer fits', async () => {
    const kafka = new EmbeddedKafka();
    const [input, out] = [unique('in'), unique('out')];
    const applicationId = unique('app');
    await createTopics(kafka, { [input]: 3, [out]: 1, [`${applicationId}-counts-changelog`]: 2 });
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S)).groupByKey().count(Materialized.as('counts'));
    const streams = new KafkaStreams(b.build(), { applicationId, defaultKeySerde: S, defaultValueSerde: S }, { kafka });
    await expect(streams.start()).rejects.toThrow(/counts-changelog has invalid partitions: expected: 3; actual: 2/);
  });
});
