import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKafka, KafkaStreams, KafkaStreamsState } from '../../../src/index.js';
import { wordCountTopology } from '../../../examples/wordcount/topology.js';
import { asCounts, createTopics, latest, produce, readUntil, unique, waitForState, wordCounts } from './helpers.js';

describe('KafkaStreams word count on the embedded broker', () => {
  let streams: KafkaStreams | null = null;
  afterEach(async () => {
    await streams?.close();
    streams = null;
  });

  it('counts words end to end through a repartition topic', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('lines'), unique('counts')];
    await createTopics(kafka, { [input]: 3, [output]: 2 });
    streams = new KafkaStreams(wordCountTopology(input, output), { applicationId: unique('wc'), commitIntervalMs: 50 }, { kafka });
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    const lines = ['all streams lead to kafka', 'hello kafka streams', 'join kafka summit'];
    await produce(kafka, input, lines.map((l) => [null, l] as const));
    const truth = wordCounts(lines);
    const records = await readUntil(kafka, output, (rs) => {
      const l = latest(asCounts(rs));
      return [...truth].every(([w, n]) => l.get(w) === n);
    }, 10_000);
    expect(latest(asCounts(records))).toEqual(truth);
  });

  it('runs numStreamThreads threads, each a group member with its share of the tasks', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('lines'), unique('counts')];
    await createTopics(kafka, { [input]: 6, [output]: 3 });
    streams = new KafkaStreams(wordCountTopology(input, output), { applicationId: unique('wc-threads'), commitIntervalMs: 50, numStreamThreads: 3 }, { kafka });
    await streams.start();
    await waitForState(streams, KafkaStreamsState.RUNNING);
    const threads = streams.metadataForLocalThreads();
    expect(threads.map((t) => t.threadName.replace(/.*-(StreamThread-\d+)$/, '$1'))).toEqual(['StreamThread-1', 'StreamThread-2', 'StreamThread-3']);
    expect(threads.map((t) => t.activeTasks.length)).toEqual([4, 4, 4]);
    expect(new Set(threads.flatMap((t) => t.activeTasks)).size).toBe(12);
    const lines = Array.from({ length: 200 }, (_, i) => `w${i % 13} w${i % 7} w${i % 3}`);
    await produce(kafka, input, lines.map((l) => [null, l] as const));
    const truth = wordCounts(lines);
    const records = await readUntil(kafka, output, (rs) => {
      const l = latest(asCounts(rs));
      return [...truth].every(([w, n]) => l.get(w) === n);
    }, 10_000);
    expect(latest(asCounts(records))).toEqual(truth);
  });
});
