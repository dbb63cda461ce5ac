/** The KafkaStreams lifecycle: states, restart with restored state, error handlers, close and cleanUp. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  EmbeddedKafka,
  KafkaStreams,
  KafkaStreamsState,
  Produced,
  Serdes,
  StreamsBuilder,
  StreamThreadExceptionResponse,
} from '../../../src/index.js';
import { wordCountTopology } from '../../../examples/wordcount/topology.js';
import { asCounts, asStrings, createTopics, eventually, latest, produce, readUntil, unique, waitAllRunning, waitForState } from './helpers.js';

const S = Serdes.String();

/** input -> mapValues (throws on the value 'boom' while `armed()`) -> output */
function fragileTopology(input: string, output: string, armed: () => boolean) {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S))
    .mapValues((v) => {
      if (v === 'boom' && armed()) throw new Error('poison record');
      return v.toUpperCase();
    })
    .to(output, Produced.with(S, S));
  return b.build();
}

describe('KafkaStreams lifecycle', () => {
  const clients: KafkaStreams[] = [];
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients.length = 0;
  });
  const track = (c: KafkaStreams) => {
    clients.push(c);
    return c;
  };

  it('reports CREATED -> REBALANCING -> RUNNING -> PENDING_SHUTDOWN -> NOT_RUNNING to the state listener', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 2, [output]: 2 });
    const streams = track(new KafkaStreams(wordCountTopology(input, output), { applicationId: unique('states') }, { kafka }));
    const seen: string[] = [];
    streams.setStateListener((now, before) => seen.push(`${before}->${now}`));
    expect(streams.state()).toBe(KafkaStreamsState.CREATED);
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    expect(await streams.close({ timeoutMs: 10_000 })).toBe(true);
    expect(streams.state()).toBe(KafkaStreamsState.NOT_RUNNING);
    expect(seen).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
    // idempotent; a client starts once; listeners are set before start
    expect(await streams.close()).toBe(true);
    expect(() => streams.start()).toThrow(/cannot be started in state NOT_RUNNING/);
    expect(() => streams.setStateListener(() => {})).toThrow(/CREATED/);
  });

  it('closes a client that never started; refuses cleanUp while running', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    const idle = new KafkaStreams(wordCountTopology(input, output), { applicationId: unique('idle') }, { kafka });
    expect(await idle.close()).toBe(true);
    expect(idle.state()).toBe(KafkaStreamsState.NOT_RUNNING);
    const running = track(new KafkaStreams(wordCountTopology(input, output), { applicationId: unique('busy') }, { kafka }));
    running.cleanUp();
    await running.start();
    expect(() => running.cleanUp()).toThrow(/Cannot clean up while running/);
  });

  it('restarts with its state restored from the changelogs and continues the counts', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 2, [output]: 2 });
    const applicationId = unique('restart');
    // in-memory stores restore their whole changelog (RocksDB ones only the tail: persistentRestore.test.ts)
    const config = { applicationId, commitIntervalMs: 30, defaultDslStore: 'in_memory' as const };
    const first = track(new KafkaStreams(wordCountTopology(input, output), config, { kafka }));
    await first.start();
    await waitForState(first, KafkaStreamsState.RUNNING);
    await produce(kafka, input, [[null, 'kafka streams'], [null, 'kafka node'], [null, 'kafka']]);
    await readUntil(kafka, output, (rs) => latest(asCounts(rs)).get('kafka') === 3, 10_000);
    await first.close();

    const restored: number[] = [];
    const second = track(new KafkaStreams(wordCountTopology(input, output), config, { kafka }));
    second.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, store, total) => store === 'counts-store' && restored.push(total) });
    await second.start();
    await waitForState(second, KafkaStreamsState.RUNNING);
    // every counts-store partition restored: 3 distinct words were counted
    expect(restored.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
    await produce(kafka, input, [[null, 'kafka again']], 5_000);
    const all = await readUntil(kafka, output, (rs) => latest(asCounts(rs)).get('kafka') === 4, 10_000);
    expect(latest(asCounts(all))).toEqual(new Map([['kafka', 4], ['streams', 1], ['node', 1], ['again', 1]]));
  });

  it('shuts the client down to ERROR on a processing error by default, without committing past it', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    const applicationId = unique('fatal');
    const streams = track(new KafkaStreams(fragileTopology(input, output, () => true), { applicationId, commitIntervalMs: 10 }, { kafka }));
    const seen: string[] = [];
    streams.setStateListener((now) => seen.push(now));
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    await produce(kafka, input, [['a', 'ok'], ['b', 'boom'], ['c', 'never']]);
    await waitForState(streams, KafkaStreamsState.ERROR);
    expect(seen.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR']);
    const admin = await kafka.admin();
    const [committed] = await admin.fetchCommittedOffsets(applicationId, [{ topic: input, partition: 0 }]);
    // at most the record before the poison one is committed
    expect(committed?.offset ?? 0).toBeLessThanOrEqual(1);
    expect(await streams.close()).toBe(true);
    expect(streams.state()).toBe(KafkaStreamsState.ERROR);
  });

  it('REPLACE_THREAD starts a new thread that reprocesses from the last commit', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    let failures = 0;
    const streams = track(new KafkaStreams(fragileTopology(input, output, () => failures === 0), { applicationId: unique('replace'), commitIntervalMs: 10 }, { kafka }));
    streams.setUncaughtExceptionHandler(() => {
      failures++;
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    const before = streams.metadataForLocalThreads()[0]?.threadName;
    await produce(kafka, input, [['a', 'ok'], ['b', 'boom'], ['c', 'fine']]);
    const out = await readUntil(kafka, output, (rs) => new Set(asStrings(rs).map(([k]) => k)).size === 3, 10_000);
    expect(failures).toBe(1);
    expect(new Map(asStrings(out))).toEqual(new Map([['a', 'OK'], ['b', 'BOOM'], ['c', 'FINE']]));
    await waitForState(streams, KafkaStreamsState.RUNNING);
    const after = streams.metadataForLocalThreads()[0]?.threadName;
    expect(after).not.toBe(before);
    expect(after).toMatch(/StreamThread-2$/);
  });

  it('SHUTDOWN_APPLICATION shuts every instance of the application down', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('in'), unique('out')];
    await createTopics(kafka, { [input]: 2, [output]: 2 });
    const applicationId = unique('shutdown-app');
    const make = () => {
      const c = track(new KafkaStreams(fragileTopology(input, output, () => true), { applicationId, commitIntervalMs: 10 }, { kafka }));
      c.setUncaughtExceptionHandler(() => StreamThreadExceptionResponse.SHUTDOWN_APPLICATION);
      return c;
    };
    const [a, b] = [make(), make()];
    await a.start();
    await b.start();
    await waitAllRunning([a, b]);
    await produce(kafka, input, [['k', 'boom']]);
    expect(await eventually(() => a.state() === KafkaStreamsState.ERROR && b.state() === KafkaStreamsState.ERROR, 15_000)).toBe(true);
  });

  it("productionExceptionHandler 'continue' drops what cannot be written and keeps running", async () => {
    const kafka = new EmbeddedKafka();
    const [input, output, missing] = [unique('in'), unique('out'), unique('missing')];
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    const b = new StreamsBuilder();
    const s = b.stream(input, Consumed.with(S, S));
    s.to(missing, Produced.with(S, S));
    s.to(output, Produced.with(S, S));
    const dropped: string[] = [];
    const streams = track(
      new KafkaStreams(
        b.build(),
        {
          applicationId: unique('prod'),
          commitIntervalMs: 10,
          productionExceptionHandler: (topic) => {
            dropped.push(topic);
            return 'continue';
          },
        },
        { kafka },
      ),
    );
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    await produce(kafka, input, [['a', '1']]);
    await eventually(() => dropped.length > 0, 5_000);
    await produce(kafka, input, [['b', '2']], 2_000);
    const out = await readUntil(kafka, output, (rs) => rs.length >= 2, 10_000);
    expect(asStrings(out)).toEqual([['a', '1'], ['b', '2']]);
    expect(dropped[0]).toBe(missing);
    expect(streams.state()).toBe(KafkaStreamsState.RUNNING);
  });
});
