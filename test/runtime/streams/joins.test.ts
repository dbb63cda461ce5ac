/** Joins on KafkaStreams with the embedded broker: a co-partitioned stream-table join and a GlobalKTable join. */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, EmbeddedKafka, KafkaStreams, KafkaStreamsState, Materialized, Produced, Serdes, StreamsBuilder } from '../../../src/index.js';
import { asStrings, createTopics, produce, readUntil, unique, waitForState } from './helpers.js';

const S = Serdes.String();

describe('joins on KafkaStreams', () => {
  let streams: KafkaStreams | null = null;
  afterEach(async () => {
    await streams?.close();
    streams = null;
  });

  it('joins a stream with a co-partitioned table, seeing table updates', async () => {
    const kafka = new EmbeddedKafka();
    const [users, clicks, out] = [unique('users'), unique('clicks'), unique('enriched')];
    await createTopics(kafka, { [users]: 3, [clicks]: 3, [out]: 3 });
    const b = new StreamsBuilder();
    const regions = b.table(users, Consumed.with(S, S), Materialized.as('user-regions'));
    b.stream(clicks, Consumed.with(S, S))
      .join(regions, (page, region) => `${page}@${region}`)
      .to(out, Produced.with(S, S));
    const applicationId = unique('join');
    streams = new KafkaStreams(b.build(), { applicationId, commitIntervalMs: 30 }, { kafka });
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);

    const people = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    await produce(kafka, users, people.map((u, i) => [u, `region-${i % 4}`] as const), 1_000);
    // the table is materialized once its updates reach the changelog
    const changelog = `${applicationId}-user-regions-changelog`;
    await readUntil(kafka, changelog, (rs) => rs.length >= people.length, 10_000);
    await produce(kafka, clicks, people.map((u) => [u, `home-${u}`] as const), 2_000);
    const first = await readUntil(kafka, out, (rs) => rs.length >= people.length, 10_000);
    expect(new Map(asStrings(first))).toEqual(new Map(people.map((u, i) => [u, `home-${u}@region-${i % 4}`])));

    await produce(kafka, users, [['user-0', 'moon']], 3_000);
    await readUntil(kafka, changelog, (rs) => rs.length >= people.length + 1, 10_000);
    await produce(kafka, clicks, [['user-0', 'again'], ['nobody', 'lost']], 4_000);
    const all = await readUntil(kafka, out, (rs) => rs.length >= people.length + 1, 10_000);
    const pairs = asStrings(all);
    expect(pairs).toHaveLength(people.length + 1);
    expect(pairs.filter(([k]) => k === 'user-0').map(([, v]) => v)).toEqual(['home-user-0@region-0', 'again@moon']);
  });

  it('bootstraps a GlobalKTable from all its partitions before processing and keeps it current', async () => {
    const kafka = new EmbeddedKafka();
    const [pages, clicks, out] = [unique('pages'), unique('clicks'), unique('categorized')];
    await createTopics(kafka, { [pages]: 3, [clicks]: 2, [out]: 2 });
    const catalog = Array.from({ length: 20 }, (_, i) => [`page-${i}`, `category-${i % 3}`] as const);
    // written before start: the global store must hold all of it before the first click
    await produce(kafka, pages, catalog, 1_000);
    await produce(kafka, clicks, catalog.map(([p], i) => [`user-${i}`, p] as const), 2_000);
    const b = new StreamsBuilder();
    const categories = b.globalTable(pages, Consumed.with(S, S), Materialized.as('categories'));
    b.stream(clicks, Consumed.with(S, S))
      .join(categories, (_user, page) => page, (page, category) => `${page}:${category}`)
      .to(out, Produced.with(S, S));
    streams = new KafkaStreams(b.build(), { applicationId: unique('global'), commitIntervalMs: 30 }, { kafka });
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    const first = await readUntil(kafka, out, (rs) => rs.length >= catalog.length, 10_000);
    expect(new Map(asStrings(first))).toEqual(new Map(catalog.map(([p, c], i) => [`user-${i}`, `${p}:${c}`])));

    // the global thread keeps reading: a new page becomes joinable
    await produce(kafka, pages, [['page-new', 'fresh']], 3_000);
    await new Promise((r) => setTimeout(r, 300));
    await produce(kafka, clicks, [['late-user', 'page-new']], 4_000);
    const all = await readUntil(kafka, out, (rs) => rs.length > catalog.length, 10_000);
    expect(asStrings(all).find(([k]) => k === 'late-user')).toEqual(['late-user', 'page-new:fresh']);
  });
});
