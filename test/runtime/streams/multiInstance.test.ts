/**
 * Several KafkaStreams instances of one application in one process, on one embedded
 * broker: they share the tasks through the group, and when one closes mid-stream the
 * survivors take its tasks over, restore their state from the changelogs and finish with
 * at-least-once output: no input lost, no count below the truth.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKafka, KafkaStreams } from '../../../src/index.js';
import { wordCountTopology } from '../../../examples/wordcount/topology.js';
import { asCounts, createTopics, maxima, produce, readUntil, unique, waitAllRunning, wordCounts } from './helpers.js';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];

function lineAt(i: number): string {
  return `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${WORDS[(i * 5 + 1) % WORDS.length]}`;
}

function allTasks(clients: readonly KafkaStreams[]): string[] {
  return clients.flatMap((c) => c.metadataForLocalThreads().flatMap((t) => t.activeTasks)).sort();
}

describe('several KafkaStreams instances on the embedded broker', () => {
  const clients: KafkaStreams[] = [];
  const stateDirs: string[] = [];
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients.length = 0;
    for (const d of stateDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  for (const n of [2, 3]) {
    it(`${n} instances share the tasks; one closes mid-stream and the others finish the job`, async () => {
      const kafka = new EmbeddedKafka();
      const [input, output] = [unique('lines'), unique('counts')];
      await createTopics(kafka, { [input]: 6, [output]: 6 });
      const applicationId = unique('wc-multi');
      let restored = 0;
      for (let i = 0; i < n; i++) {
        // each instance has its own state directory, as separate machines would
        const stateDir = join(tmpdir(), `${applicationId}-${i}`);
        stateDirs.push(stateDir);
        const c = new KafkaStreams(wordCountTopology(input, output), { applicationId, commitIntervalMs: 50, stateDir }, { kafka });
        c.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _store, total) => (restored += total) });
        clients.push(c);
      }
      for (const c of clients) await c.start();
      await waitAllRunning(clients);
      // 2 sub-topologies x 6 partitions, every task exactly once, spread over everyone
      expect(allTasks(clients)).toHaveLength(12);
      expect(new Set(allTasks(clients)).size).toBe(12);
      for (const c of clients) expect(c.metadataForLocalThreads()[0]?.activeTasks.length).toBeGreaterThanOrEqual(Math.floor(12 / n));

      const lines: string[] = [];
      const send = async (from: number, to: number) => {
        for (let b = from; b < to; b++) {
          const batch = Array.from({ length: 20 }, (_, i) => lineAt(b * 20 + i));
          lines.push(...batch);
          await produce(kafka, input, batch.map((l) => [null, l] as const), b * 100);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      await send(0, 15);
      const leaving = clients[n - 1] as KafkaStreams;
      await leaving.close();
      const survivors = clients.slice(0, n - 1);
      await send(15, 30);
      await waitAllRunning(survivors);
      expect(allTasks(survivors)).toHaveLength(12);

      const truth = wordCounts(lines);
      const records = await readUntil(kafka, output, (rs) => {
        const m = maxima(asCounts(rs));
        return [...truth].every(([w, c]) => (m.get(w) ?? 0) >= c);
      }, 20_000);
      const seen = maxima(asCounts(records));
      for (const [word, count] of truth) expect(seen.get(word), word).toBeGreaterThanOrEqual(count);
      // the survivors rebuilt the leaver's counts from the changelogs
      expect(restored).toBeGreaterThan(0);
      if (process.env.DEBUG_KSTREAMS) console.log({ restored, truth: [...truth], seen: [...seen] });
    });
  }

  it('an instance joining mid-stream takes over tasks from a running one without losing input', async () => {
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('lines'), unique('counts')];
    await createTopics(kafka, { [input]: 4, [output]: 4 });
    const applicationId = unique('wc-join');
    const make = () => new KafkaStreams(wordCountTopology(input, output), { applicationId, commitIntervalMs: 30 }, { kafka });
    const first = make();
    clients.push(first);
    await first.start();
    await waitAllRunning([first]);
    const lines: string[] = [];
    const send = async (from: number, to: number) => {
      for (let b = from; b < to; b++) {
        const batch = Array.from({ length: 25 }, (_, i) => lineAt(b * 25 + i));
        lines.push(...batch);
        await produce(kafka, input, batch.map((l) => [null, l] as const), b * 100);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await send(0, 10);
    const second = make();
    clients.push(second);
    const sending = send(10, 25);
    await second.start();
    await sending;
    await waitAllRunning([first, second]);
    expect(allTasks([first, second])).toHaveLength(8);
    expect(second.metadataForLocalThreads()[0]?.activeTasks.length).toBe(4);

    const truth = wordCounts(lines);
    const records = await readUntil(kafka, output, (rs) => {
      const m = maxima(asCounts(rs));
      return [...truth].every(([w, c]) => (m.get(w) ?? 0) >= c);
    }, 20_000);
    const seen = maxima(asCounts(records));
    for (const [word, count] of truth) expect(seen.get(word), word).toBeGreaterThanOrEqual(count);
  });
});
