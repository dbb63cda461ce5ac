/**
 * KafkaStreams on a REAL Kafka broker through kafkajs, never mocked: word count, a
 * repartitioning groupBy, a co-partitioned stream-table join, and a second instance
 * taking over with restored state. vitest's globalSetup starts a local KRaft broker
 * (scripts/kafka.sh) and sets KAFKA_BOOTSTRAP; or run against your own:
 * `KAFKA_BOOTSTRAP=127.0.0.1:<port> npx vitest run test/runtime/kafkaStreams.integration.test.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  KafkaStreams,
  KafkaStreamsState,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
  StreamThreadExceptionResponse,
} from '../../src/index.js';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { wordCountTopology } from '../../examples/wordcount/topology.js';
import { asCounts, asStrings, createTopics, eventually, latest, maxima, produce, readUntil, unique, waitAllRunning, waitForState, wordCounts } from './streams/helpers.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `KafkaStreams on the broker at ${bootstrap}`
  : 'KafkaStreams on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';
const S = Serdes.String();

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  const clients: KafkaStreams[] = [];
  const stateDirs: string[] = [];
  /**
   * Real-broker settings: brokers refuse session timeouts below 6 s; short heartbeats make
   * rebalances prompt. Each instance gets its own state directory, as on separate machines.
   */
  const config = (applicationId: string): StreamsConfig => ({
    applicationId,
    stateDir: stateDirs[stateDirs.push(mkdtempSync(join(tmpdir(), 'kstreams-it-'))) - 1] as string,
    bootstrapServers: bootstrap,
    commitIntervalMs: 100,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 15_000,
    replicationFactor: 1,
    kafkaClient: { logLevel: 'error' },
  });
  const start = async (c: KafkaStreams) => {
    clients.push(c);
    await c.start();
    return c;
  };

  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-it', logLevel: 'error', fetchMaxWaitMs: 100 });
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close({ timeoutMs: 30_000 })));
    clients.length = 0;
  });
  afterAll(async () => {
    for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
    await port.close();
  });

  it('counts words end to end (groupBy through a repartition topic)', async () => {
    const [input, output] = [unique('lines'), unique('counts')];
    await createTopics(port, { [input]: 3, [output]: 3 });
    const streams = await start(new KafkaStreams(wordCountTopology(input, output), config(unique('it-wc'))));
    await waitForState(streams, KafkaStreamsState.RUNNING, 60_000);
    const lines = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
    await produce(port, input, lines.map((l) => [null, l] as const));
    const truth = wordCounts(lines);
    const got = await readUntil(port, output, (rs) => [...truth].every(([w, n]) => latest(asCounts(rs)).get(w) === n), 60_000);
    expect(latest(asCounts(got))).toEqual(truth);
  }, 120_000);

  it('aggregates after a key-changing groupBy, with internal topics sized from the input', async () => {
    const [input, output] = [unique('orders'), unique('totals')];
    await createTopics(port, { [input]: 4, [output]: 2 });
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .groupBy((_orderId, v) => v.split(':')[0] as string, Grouped.with<string, string>(S, S).withName('by-customer'))
      .aggregate(() => 0, (_k, v, sum) => sum + Number(v.split(':')[1]), Materialized.as<string, number>('totals').withValueSerde(Serdes.Long()))
      .toStream()
      .to(output, Produced.with(S, Serdes.Long()));
    const applicationId = unique('it-groupby');
    const streams = await start(new KafkaStreams(b.build(), config(applicationId)));
    await waitForState(streams, KafkaStreamsState.RUNNING, 60_000);
    const admin = await port.admin();
    const described = await admin.describeTopics([`${applicationId}-by-customer-repartition`, `${applicationId}-totals-changelog`]);
    await admin.close();
    expect([...described.partitions.values()]).toEqual([4, 4]);
    const orders = Array.from({ length: 40 }, (_, i) => [`order-${i}`, `customer-${i % 5}:${i}`] as const);
    await produce(port, input, orders);
    const truth = new Map<string, number>();
    for (const [, v] of orders) {
      const [c, n] = v.split(':') as [string, string];
      truth.set(c, (truth.get(c) ?? 0) + Number(n));
    }
    const got = await readUntil(port, output, (rs) => [...truth].every(([c, n]) => latest(asCounts(rs)).get(c) === n), 60_000);
    expect(latest(asCounts(got))).toEqual(truth);
  }, 120_000);

  it('joins a stream with a co-partitioned table', async () => {
    const [users, clicks, out] = [unique('users'), unique('clicks'), unique('enriched')];
    await createTopics(port, { [users]: 2, [clicks]: 2, [out]: 2 });
    const b = new StreamsBuilder();
    const regions = b.table(users, Consumed.with(S, S), Materialized.as('regions'));
    b.stream(clicks, Consumed.with(S, S))
      .join(regions, (page, region) => `${page}@${region}`)
      .to(out, Produced.with(S, S));
    const applicationId = unique('it-join');
    const streams = await start(new KafkaStreams(b.build(), config(applicationId)));
    await waitForState(streams, KafkaStreamsState.RUNNING, 60_000);
    const people = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    await produce(port, users, people.map((u, i) => [u, `region-${i % 3}`] as const));
    await readUntil(port, `${applicationId}-regions-changelog`, (rs) => rs.length >= people.length, 60_000);
    await produce(port, clicks, people.map((u) => [u, `page-${u}`] as const), 5_000);
    const got = await readUntil(port, out, (rs) => rs.length >= people.length, 60_000);
    expect(new Map(asStrings(got))).toEqual(new Map(people.map((u, i) => [u, `page-${u}@region-${i % 3}`])));
  }, 120_000);

  it('a second instance takes over half the tasks, and the first takes them back with restored state when it leaves', async () => {
    const [input, output] = [unique('lines'), unique('counts')];
    await createTopics(port, { [input]: 4, [output]: 4 });
    const applicationId = unique('it-scale');
    const first = new KafkaStreams(wordCountTopology(input, output), config(applicationId));
    let restoredByA = 0;
    first.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _store, total) => (restoredByA += total) });
    const a = await start(first);
    await waitForState(a, KafkaStreamsState.RUNNING, 60_000);
    const lines = Array.from({ length: 60 }, (_, i) => `w${i % 7} w${(i * 3) % 5} shared`);
    await produce(port, input, lines.slice(0, 30).map((l) => [null, l] as const));
    const b = await start(new KafkaStreams(wordCountTopology(input, output), config(applicationId)));
    await waitAllRunning([a, b], 60_000);
    expect(b.metadataForLocalThreads()[0]?.activeTasks.length).toBe(4);
    await produce(port, input, lines.slice(30, 45).map((l) => [null, l] as const), 10_000);
    // b counts these: its changelog writes are what a must restore (a's RocksDB stores are behind by them)
    const upTo45 = wordCounts(lines.slice(0, 45));
    await readUntil(port, output, (rs) => [...upTo45].every(([w, n]) => (maxima(asCounts(rs)).get(w) ?? 0) >= n), 60_000);
    await b.close({ timeoutMs: 30_000 });
    await produce(port, input, lines.slice(45).map((l) => [null, l] as const), 20_000);
    // the leave triggers a rebalance that a notices at its next poll
    expect(await eventually(() => a.metadataForLocalThreads()[0]?.activeTasks.length === 8 && a.state() === KafkaStreamsState.RUNNING, 60_000)).toBe(true);
    // a got its tasks back with the counts b had made, from the changelogs
    expect(restoredByA).toBeGreaterThan(0);
    const truth = wordCounts(lines);
    const got = await readUntil(port, output, (rs) => [...truth].every(([w, n]) => (maxima(asCounts(rs)).get(w) ?? 0) >= n), 60_000);
    const seen = maxima(asCounts(got));
    for (const [w, n] of truth) expect(seen.get(w), w).toBeGreaterThanOrEqual(n);
  }, 180_000);

  it('SHUTDOWN_APPLICATION from one instance shuts both instances down', async () => {
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(port, { [input]: 2, [output]: 2 });
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('poison record');
        return v;
      })
      .to(output, Produced.with(S, S));
    const topology = b.build();
    const applicationId = unique('it-shutdown');
    const make = async () => {
      const c = new KafkaStreams(topology, config(applicationId));
      c.setUncaughtExceptionHandler(() => StreamThreadExceptionResponse.SHUTDOWN_APPLICATION);
      return start(c);
    };
    const [x, y] = [await make(), await make()];
    await waitAllRunning([x, y], 60_000);
    await produce(port, input, [['k', 'boom']]);
    expect(await eventually(() => x.state() === KafkaStreamsState.ERROR && y.state() === KafkaStreamsState.ERROR, 60_000)).toBe(true);
  }, 120_000);
});
