/**
 * A restart on the same state directory restores only the changelog tail (issue #5), on a
 * REAL Kafka broker through kafkajs, under at_least_once and exactly_once_v2: a count
 * topology over a RocksDB store (defaultDslStore 'rocks_db', Materialized.as) on a
 * two-partition input, so two tasks, two task directories, two changelog partitions.
 *
 * 1. Instance 1 counts batch A, a commit covering all of A completes, it closes cleanly.
 * 2. Instance 2 (same applicationId and stateDir) restores: each changelog partition from
 *    the offset after its last record (> 0), reading nothing. It counts batch B; a commit
 *    covering B completes; the changelog is read: its last record per partition is the
 *    offset the stores committed (P).
 * 3. A crash between commits: the commit hook (KafkaStreamsOptions.commitHook) throws in the
 *    first commit that covers records of batch C, leaving the RocksDB stores at P, either
 *    - after step 2 ('kafka-committed', record cache on): Kafka has the commit (offsets, and
 *      under exactly-once the transaction with output and changelog records), the stores
 *      do not; the changelog tail after P is one record per key the commit updated; or
 *    - after step 1 ('caches-flushed', cacheMaxBytes 0, so updates were sent while
 *      processing): nothing of C is committed in Kafka; the updates that reached the
 *      changelog are a plain tail under at-least-once, and records of an aborted
 *      transaction under exactly-once, which a read_committed restore must not apply.
 * 4. Instance 3 restores exactly the changelog records after P that a reader with the
 *    app's isolation level sees, reprocesses exactly the input the crash left uncommitted,
 *    counts batch D; the output ends with the true counts (at-least-once after the
 *    step-1 crash: plus one for every restored update whose input is processed again).
 * Every wait is bounded (running out fails the test); nothing asserts on time.
 * `KAFKA_BOOTSTRAP=127.0.0.1:<port> npx vitest run test/runtime/restartTail.integration.test.ts`.
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
  type Topology,
} from '../../src/index.js';
import type { IsolationLevel } from '../../src/runtime/kafka/KafkaPort.js';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import type { RawRecord } from '../../src/runtime/task/RawRecord.js';
import { PartitionReader } from '../../src/runtime/thread/PartitionReader.js';
import type { CommitStep } from '../../src/runtime/thread/TaskManager.js';
import { createTopics, produce, readUntil, unique, waitForState } from './streams/helpers.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `restart on the same state directory, RocksDB count store, on the broker at ${bootstrap}`
  : 'restart on the same state directory on a real broker (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';

const S = Serdes.String();
const L = Serdes.Long();
const STORE = 'counts';
const WAIT_MS = 60_000;

const batch = (name: string, n: number, keys: (i: number) => number) => Array.from({ length: n }, (_, i) => [`key-${keys(i)}`, `${name}-${i}`] as const);
/** A touches keys 0-9, B keys 0-5, C keys 3-9, D all again (so the final read covers every key). */
const A = batch('a', 60, (i) => i % 10);
const B = batch('b', 30, (i) => i % 6);
const C = batch('c', 28, (i) => 3 + (i % 7));
const D = batch('d', 10, (i) => i);

/** One KafkaStreams instance with what the test watches: records processed, commits, restoration. */
class Instance {
  /** Values of the input records this instance processed, in order. */
  readonly seen: string[] = [];
  /** seen.length when the current commit passed step 1, and at the last commit that completed step 3. */
  flushedAt = 0;
  committedThrough = 0;
  /** The commit step to crash after (the hook throws), cleared when it fires; seen.length covered by that commit. */
  crashAt: CommitStep | null = null;
  crashedAt = -1;
  fatal: Error | null = null;
  /** Restoration per changelog partition: where it started and ended, and the records it read. */
  readonly restoreRange = new Map<number, { start: number; end: number }>();
  readonly restored = new Map<number, number>();
  readonly restoredStores = new Set<string>();
  readonly streams: KafkaStreams;

  constructor(input: string, output: string, config: StreamsConfig) {
    this.streams = new KafkaStreams(this.topology(input, output), config, { commitHook: (step) => this.afterStep(step) });
    this.streams.setUncaughtExceptionHandler((e) => {
      this.fatal = e;
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    this.streams.setGlobalStateRestoreListener({
      onRestoreStart: (tp, store, start, end) => {
        this.restoredStores.add(store);
        this.restoreRange.set(tp.partition, { start, end });
      },
      onRestoreEnd: (tp, _store, n) => this.restored.set(tp.partition, n),
    });
  }

  private topology(input: string, output: string): Topology {
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .peek((_k, v) => this.seen.push(v))
      .groupByKey(Grouped.with(S, S))
      .count(Materialized.as<string, number>(STORE))
      .toStream()
      .to(output, Produced.with(S, L));
    return b.build();
  }

  private afterStep(step: CommitStep): void {
    if (step === 'caches-flushed') this.flushedAt = this.seen.length;
    if (step === 'stores-committed') this.committedThrough = this.flushedAt;
    if (this.crashAt === step) {
      this.crashAt = null;
      this.crashedAt = this.flushedAt;
      throw new Error(`injected crash after ${step}`);
    }
  }
}

async function waitFor(what: string, done: () => boolean): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function countKeys(records: readonly (readonly [string, string])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k] of records) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/** The latest String -> Long value per key, in offset order per partition. */
function latestCounts(records: readonly RawRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  const sorted = [...records].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
  for (const r of sorted) m.set(S.deserializer().deserialize(r.topic, r.key) as string, Number(L.deserializer().deserialize(r.topic, r.value)));
  return m;
}

const keyOf = (r: RawRecord) => S.deserializer().deserialize(r.topic, r.key) as string;

describe.skipIf(bootstrap === '')(title, () => {
  let port: KafkajsPort;
  const instances: Instance[] = [];
  const dirs: string[] = [];

  beforeAll(() => {
    port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-it-restart-tail', logLevel: 'error', fetchMaxWaitMs: 100 });
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.streams.close({ timeoutMs: 30_000 }).catch(() => {});
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await port.close();
  });

  /** Every record of `topic` up to its end offsets now (read_committed: the last stable offsets), by partition. */
  async function readAll(topic: string, isolationLevel: IsolationLevel): Promise<Map<number, RawRecord[]>> {
    const admin = await port.admin();
    const offsets = await admin.listOffsets(topic).finally(() => admin.close());
    const byPartition = new Map<number, RawRecord[]>(offsets.map((o) => [o.partition, []]));
    const reader = await PartitionReader.open(port, {
      groupPrefix: unique('restart-tail-reader'),
      partitions: offsets.map((o) => ({ topic, partition: o.partition })),
      consumer: { isolationLevel, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 },
    });
    try {
      const ends = new Map(offsets.filter((o) => o.latest > o.earliest).map((o) => [`${topic}|${o.partition}`, o.latest]));
      await reader.readToEnd(ends, (b) => byPartition.get(b.partition)?.push(...b.records.filter((r) => r.offset < (ends.get(`${topic}|${b.partition}`) ?? 0))), WAIT_MS, () => false);
    } finally {
      await reader.close();
    }
    return byPartition;
  }

  const lastOffsets = (records: ReadonlyMap<number, readonly RawRecord[]>) => new Map([...records].map(([p, rs]) => [p, rs.reduce((m, r) => Math.max(m, r.offset), -1)]));

  it.each([
    ['at_least_once', 'kafka-committed', 10 * 1024 * 1024],
    ['exactly_once_v2', 'kafka-committed', 10 * 1024 * 1024],
    ['at_least_once', 'caches-flushed', 0],
    ['exactly_once_v2', 'caches-flushed', 0],
  ] as const)(
    '%s, crash after %s (cacheMaxBytes %i): a clean restart restores nothing, the crashed one exactly the changelog tail, and the counts end right',
    async (guarantee, crashAt, cacheMaxBytes) => {
      const eos = guarantee === 'exactly_once_v2';
      const isolation: IsolationLevel = eos ? 'read_committed' : 'read_uncommitted';
      const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-restart-tail-'));
      dirs.push(stateDir);
      const [input, output, applicationId] = [unique('tail-in'), unique('tail-out'), unique('tail-app')];
      const changelog = `${applicationId}-${STORE}-changelog`;
      const config: StreamsConfig = {
        applicationId,
        bootstrapServers: bootstrap,
        stateDir,
        processingGuarantee: guarantee,
        defaultDslStore: 'rocks_db',
        cacheMaxBytes,
        commitIntervalMs: 100,
        pollMs: 20,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        rebalanceTimeoutMs: 15_000,
        replicationFactor: 1,
        kafkaClient: { logLevel: 'error' },
      };
      const start = async (): Promise<Instance> => {
        const i = new Instance(input, output, config);
        instances.push(i);
        await i.streams.start();
        await waitForState(i.streams, KafkaStreamsState.RUNNING, WAIT_MS);
        return i;
      };
      const stop = async (i: Instance): Promise<void> => {
        await i.streams.close({ timeoutMs: 30_000 });
        instances.splice(instances.indexOf(i), 1);
      };
      await createTopics(port, { [input]: 2, [output]: 2 });

      // 1. instance 1 counts A, a commit covers all of A, a clean close
      const first = await start();
      expect([...first.restored.values()].reduce((a, b) => a + b, 0)).toBe(0); // nothing to restore yet
      await produce(port, input, A, 1_000);
      await waitFor('instance 1 to commit batch A', () => first.committedThrough === A.length);
      await stop(first);
      const afterClose = await readAll(changelog, isolation);
      expect([...afterClose.keys()].sort()).toEqual([0, 1]);
      for (const records of afterClose.values()) expect(records.length).toBeGreaterThan(0); // 10 keys over 2 partitions
      const lastAtClose = lastOffsets(afterClose);

      // 2. a clean restart reads nothing: each partition from the offset after its last record
      const second = await start();
      expect([...second.restoredStores]).toEqual([STORE]);
      expect([...second.restoreRange.keys()].sort()).toEqual([0, 1]);
      for (const [p, last] of lastAtClose) {
        const range = second.restoreRange.get(p) as { start: number; end: number };
        expect(range.start).toBeGreaterThan(0);
        expect(range.start).toBe(last + 1);
        expect(second.restored.get(p)).toBe(0);
      }
      expect(second.seen).toEqual([]); // A's offsets were committed: nothing processed again
      await produce(port, input, B, 2_000);
      await waitFor('instance 2 to commit batch B', () => second.committedThrough === B.length);
      expect([...second.seen].sort()).toEqual(B.map(([, v]) => v).sort());
      const beforeCrash = await readAll(changelog, isolation);
      const storedOffsets = lastOffsets(beforeCrash);

      // 3. a crash in the first commit covering records of C, before the stores' write
      second.crashAt = crashAt;
      await produce(port, input, C, 3_000);
      await waitForState(second.streams, KafkaStreamsState.ERROR, WAIT_MS);
      expect(second.fatal?.message).toContain(`injected crash after ${crashAt}`);
      await stop(second);
      // the input the crashing commit covered (after step 1: everything instance 2 processed)
      const covered = second.seen.slice(B.length, second.crashedAt);
      expect(covered.length).toBeGreaterThan(0);
      if (crashAt === 'caches-flushed') expect(covered.length).toBe(second.seen.length - B.length);
      const cKey = new Map<string, string>(C.map(([k, v]) => [v, k]));
      const afterStored = (records: ReadonlyMap<number, readonly RawRecord[]>) =>
        new Map([...records].map(([p, rs]) => [p, rs.filter((r) => r.offset > (storedOffsets.get(p) ?? -1))]));
      // what reached the changelog after the stored offsets, and what of it the app's isolation level sees
      const written = [...afterStored(await readAll(changelog, 'read_uncommitted')).values()].flat();
      const tail = afterStored(await readAll(changelog, isolation));
      const tailRecords = [...tail.values()].flat();
      if (crashAt === 'kafka-committed') {
        // the crashing commit's changelog records, committed: with the record cache, one per key it updated
        expect(tailRecords.map(keyOf).sort()).toEqual([...new Set(covered.map((v) => cKey.get(v) as string))].sort());
        expect(written.length).toBe(tailRecords.length);
      } else {
        // updates sent while processing (no cache), one per input record at most
        expect(written.length).toBeGreaterThan(0);
        expect(written.length).toBeLessThanOrEqual(covered.length);
        // exactly-once: in the transaction the crash left open, aborted; at-least-once: plain records
        expect(tailRecords.length).toBe(eos ? 0 : written.length);
      }
      const admin = await port.admin();
      const endsAfterCrash = new Map((await admin.listOffsets(changelog).finally(() => admin.close())).map((o) => [o.partition, o.latest]));

      // 4. the restart restores exactly the visible tail after the stored offsets
      const third = await start();
      expect([...third.restoreRange.keys()].sort()).toEqual([0, 1]);
      for (const [p, stored] of storedOffsets) {
        expect(third.restoreRange.get(p)).toEqual({ start: stored + 1, end: endsAfterCrash.get(p) });
        expect(third.restored.get(p)).toBe(tail.get(p)?.length);
      }
      expect([...third.restored.values()].reduce((a, b) => a + b, 0)).toBe(tailRecords.length);
      await produce(port, input, D, 4_000);
      // the truth; at-least-once after a crash before the Kafka commit, plus one per restored
      // update whose input is processed again (Kafka Streams does the same; exactly-once does not)
      const expected = countKeys([...A, ...B, ...C, ...D]);
      if (crashAt === 'caches-flushed') for (const r of tailRecords) expected.set(keyOf(r), (expected.get(keyOf(r)) ?? 0) + 1);
      const got = await readUntil(
        port,
        output,
        (rs) => [...expected].every(([k, n]) => latestCounts(rs).get(k) === n),
        WAIT_MS,
        isolation,
      );
      expect(latestCounts(got)).toEqual(expected);
      // input committed in Kafka is not processed again: instance 3 saw the rest of C and D, once each
      const committedC = new Set(crashAt === 'kafka-committed' ? covered : []);
      expect([...third.seen].sort()).toEqual([...C.map(([, v]) => v).filter((v) => !committedC.has(v)), ...D.map(([, v]) => v)].sort());
      await stop(third);
    },
    240_000,
  );
});
