/**
 * Persistent (RocksDB) stores in the runtime: the task directory is locked while a task
 * runs, each commit writes the stores with the changelog offset they reflect (step 3),
 * and a restart restores only the changelog's tail after that offset.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  EmbeddedKafka,
  Grouped,
  KafkaStreams,
  KafkaStreamsState,
  Materialized,
  Produced,
  Serdes,
  StateDirectory,
  StreamsBuilder,
  type Topology,
} from '../../../src/index.js';
import { StateDirectoryLockedError } from '../../../src/errors.js';
import { asCounts, createTopics, latest, produce, readUntil, unique, waitAllRunning, waitForState, wordCounts } from './helpers.js';

/** Word count; with `crash.armed` a line `crash` fails the thread (a process crash: no commit, tasks closed dirty). */
function countTopology(input: string, output: string, crash: { armed: boolean }): Topology {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((line) => {
      if (crash.armed && line === 'crash') throw new Error('injected crash');
      return line;
    })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0 && w !== 'crash'))
    .groupBy((_k, w) => w, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('counts-store'))
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  return b.build();
}

interface Restores {
  restored: number;
  starts: number[];
}

function listen(streams: KafkaStreams): Restores {
  const r: Restores = { restored: 0, starts: [] };
  streams.setGlobalStateRestoreListener({
    onRestoreStart: (_tp, _s, start) => r.starts.push(start),
    onRestoreEnd: (_tp, _s, n) => (r.restored += n),
  });
  return r;
}

async function countsReach(kafka: EmbeddedKafka, output: string, truth: Map<string, number>, atLeast = false): Promise<Map<string | null, number>> {
  const ok = (l: Map<string | null, number>) => [...truth].every(([w, n]) => (atLeast ? (l.get(w) ?? 0) >= n : l.get(w) === n));
  const records = await readUntil(kafka, output, (rs) => ok(latest(asCounts(rs))), 15_000);
  return latest(asCounts(records));
}

describe('persistent stores in the runtime', () => {
  const dirs: string[] = [];
  const open: KafkaStreams[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup() {
    const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-persist-'));
    dirs.push(stateDir);
    const kafka = new EmbeddedKafka();
    const [input, output] = [unique('lines'), unique('counts')];
    const applicationId = unique('persist');
    const config = { applicationId, stateDir, defaultDslStore: 'rocks_db' as const, commitIntervalMs: 30, cacheMaxBytes: 0 };
    const start = async (crash = { armed: false }, overrides: Record<string, unknown> = {}) => {
      const s = new KafkaStreams(countTopology(input, output, crash), { ...config, ...overrides }, { kafka });
      open.push(s);
      const restores = listen(s);
      await s.start();
      await waitForState(s, KafkaStreamsState.RUNNING, 15_000);
      return { s, restores };
    };
    return { kafka, input, output, stateDir, applicationId, start };
  }

  it('locks task directories while running, commits the stores, and restores only the changelog tail after a clean close', async () => {
    const { kafka, input, output, stateDir, applicationId, start } = setup();
    await createTopics(kafka, { [input]: 2, [output]: 2 });
    const first = await start();
    const linesA = ['a b c a', 'b a d', 'e a'];
    await produce(kafka, input, linesA.map((l) => [null, l] as const));
    await countsReach(kafka, output, wordCounts(linesA));

    // (c) a running task's directory is locked: a second owner gets a typed error naming it
    const stateDirectory = new StateDirectory({ applicationId, stateDir });
    const taskDirs = stateDirectory.taskDirectoryNames();
    expect(taskDirs.length).toBeGreaterThan(0);
    for (const name of taskDirs) expect(readdirSync(join(stateDirectory.applicationDirectory, name))).toContain('rocksdb');
    let error: unknown = null;
    try {
      stateDirectory.lockTask(taskDirs[0] as string);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDirectoryLockedError);
    expect((error as StateDirectoryLockedError).directory).toBe(stateDirectory.taskDirectory(taskDirs[0] as string));
    expect((error as Error).message).toContain(stateDirectory.taskDirectory(taskDirs[0] as string));

    await first.s.close();
    open.splice(open.indexOf(first.s), 1);
    // released at close
    stateDirectory.lockTask(taskDirs[0] as string).release();

    // (b) the stores committed their offsets: nothing is left to restore
    const second = await start();
    expect(second.restores.starts.length).toBeGreaterThan(0);
    expect(second.restores.starts.some((s) => s > 0)).toBe(true);
    expect(second.restores.restored).toBe(0);
    // (a) counts continue
    const linesB = ['a f', 'b b'];
    await produce(kafka, input, linesB.map((l) => [null, l] as const));
    const counts = await countsReach(kafka, output, wordCounts([...linesA, ...linesB]));
    expect(counts).toEqual(wordCounts([...linesA, ...linesB]));
  }, 60_000);

  it('after a crash between commits, restores from the stored offset and never counts below the truth', async () => {
    const { kafka, input, output, start } = setup();
    await createTopics(kafka, { [input]: 1, [output]: 1 });
    const linesA = ['x y z', 'x y', 'x'];
    const first = await start();
    await produce(kafka, input, linesA.map((l) => [null, l] as const));
    await countsReach(kafka, output, wordCounts(linesA));
    await first.s.close();
    open.splice(open.indexOf(first.s), 1);

    // no commit during this run (long interval): its changelog writes are the tail after the stored offsets
    const crash = { armed: true };
    const second = await start(crash, { commitIntervalMs: 600_000 });
    expect(second.restores.restored).toBe(0);
    const linesB = ['x w', 'w v'];
    await produce(kafka, input, linesB.map((l) => [null, l] as const));
    await countsReach(kafka, output, wordCounts([...linesA, ...linesB]));
    await produce(kafka, input, [[null, 'crash']]);
    await waitForState(second.s, KafkaStreamsState.ERROR, 15_000);
    await second.s.close();
    open.splice(open.indexOf(second.s), 1);

    crash.armed = false;
    const third = await start(crash);
    // the tail written after the last stored offset: one changelog record per word of linesB
    const tail = [...linesB.join(' ').split(' ')].length;
    expect(third.restores.restored).toBe(tail);
    const linesC = ['v z'];
    await produce(kafka, input, linesC.map((l) => [null, l] as const));
    const truth = wordCounts([...linesA, ...linesB, ...linesC]);
    const counts = await countsReach(kafka, output, truth, true);
    for (const [w, n] of truth) expect(counts.get(w) ?? 0).toBeGreaterThanOrEqual(n);
    // words only seen before the last commit are exact
    expect(counts.get('y')).toBe(2);
  }, 60_000);

  it('hands tasks over between two instances sharing a state directory in one process (the new owner waits for the lock)', async () => {
    const { kafka, input, output, start } = setup();
    await createTopics(kafka, { [input]: 4, [output]: 2 });
    const first = await start();
    const linesA = Array.from({ length: 40 }, (_, i) => `w${i % 7} w${i % 5}`);
    await produce(kafka, input, linesA.map((l) => [null, l] as const));
    await countsReach(kafka, output, wordCounts(linesA));
    const second = await start();
    await waitAllRunning([first.s, second.s], 30_000);
    expect(first.s.metadataForLocalThreads()[0]?.activeTasks.length).toBeGreaterThan(0);
    expect(second.s.metadataForLocalThreads()[0]?.activeTasks.length).toBeGreaterThan(0);
    const linesB = Array.from({ length: 40 }, (_, i) => `w${i % 3}`);
    await produce(kafka, input, linesB.map((l) => [null, l] as const));
    const truth = wordCounts([...linesA, ...linesB]);
    const counts = await countsReach(kafka, output, truth, true);
    for (const [w, n] of truth) expect(counts.get(w) ?? 0).toBeGreaterThanOrEqual(n);
  }, 60_000);
});
