/**
 * Restores the stores of newly assigned tasks from their changelog topics before the
 * tasks process anything (Kafka's StoreChangelogReader, in its simplest form): each
 * logged store's changelog partition (the task's partition) is read up to
 * the end offset it had when restoration began, and every record is written back into
 * the store (see StoreRestorers). A persistent store resumes after the changelog offset
 * it committed with its data (commit step 3); one with no committed offset, found corrupt
 * at open, or whose offset lies beyond the changelog's end (wiped first) restores from
 * the beginning. In-memory stores have no checkpoint, so they always restore from the
 * beginning. Every store kind the DSL builds restores: key-value, window and session
 * stores, suppression buffers and the shared store of outer stream-stream joins.
 *
 * While it reads, a progress line (records restored / records to restore, per changelog
 * partition) is logged every RESTORE_PROGRESS_LOG_INTERVAL_MS, and one line per task when
 * it is done (records and duration), as Kafka's StoreChangelogReader logs.
 */
import type { StateStore } from '../../state/StateStore.js';
import type { InternalTopologyBuilder } from '../../topology/InternalTopologyBuilder.js';
import type { FetchedBatch, GroupConsumerConfig, KafkaAdmin, KafkaPort, TopicPartition } from '../kafka/KafkaPort.js';
import { tpKey } from '../kafka/util.js';
import type { StateRestoreListener } from '../StateRestoreListener.js';
import type { ResolvedStreamsConfig } from '../StreamsConfig.js';
import type { ActiveTask } from './ActiveTask.js';
import { PartitionReader } from './PartitionReader.js';
import { type RestoreFn, restorerFor } from './StoreRestorers.js';

export interface RestorerDeps {
  readonly port: KafkaPort;
  readonly admin: KafkaAdmin;
  readonly config: ResolvedStreamsConfig;
  readonly internal: InternalTopologyBuilder;
  readonly consumer: Partial<GroupConsumerConfig>;
  readonly clientId: string;
  /** Fails a restore that makes no progress for this long. */
  readonly timeoutMs: number;
  /** The client's restore listener, if any (read at each restoration). */
  readonly listener: () => StateRestoreListener | null;
}

/** How often (at most) a restoration logs its progress, in ms of wall-clock time. */
export const RESTORE_PROGRESS_LOG_INTERVAL_MS = 5_000;

/** One changelog partition being restored. */
interface Restoring {
  readonly partition: TopicPartition;
  readonly storeName: string;
  readonly apply: RestoreFn;
  readonly task: ActiveTask;
  /** The changelog offset the store's committed data reflects, or null: restore from the beginning. */
  committed: number | null;
  start: number;
  end: number;
  restored: number;
  /** When the last record before `end` was restored (Date.now()), or null. */
  doneAt: number | null;
}

/** Records restored per changelog partition in the last run, for tests and logs. */
export type RestoreCounts = Map<string, number>;

export class ChangelogRestorer {
  /** Records restored, by `topic|partition`, over this restorer's life. */
  readonly restored: RestoreCounts = new Map();

  constructor(private readonly deps: RestorerDeps) {}

  /**
   * Opens the tasks' stores, restores them, then initialises their processors. Tasks
   * are left muted until done, so restoring writes are never logged again.
   */
  async restore(tasks: readonly ActiveTask[], stopped: () => boolean): Promise<void> {
    const startedAt = Date.now();
    const byKey = new Map<string, Restoring>();
    for (const t of tasks) {
      t.collector.muted = true;
      t.task.initializeStores();
      for (const [storeName, topic] of t.topology.changelogTopics) {
        const store = t.topology.stores.get(storeName) as StateStore;
        const fn = restorerFor(store, this.deps.internal.storeBuilder(storeName), topic, {
          keySerde: this.deps.config.defaultKeySerde,
          valueSerde: this.deps.config.defaultValueSerde,
        });
        if (fn === null) {
          console.warn(`kstreams: task ${t.key}: store ${storeName} cannot be restored from ${topic} by kstreams yet; it starts empty`);
          continue;
        }
        const partition = { topic, partition: t.id.partition };
        const committed = committedOffset(t, storeName);
        byKey.set(tpKey(topic, t.id.partition), { partition, storeName, apply: fn, task: t, committed, start: 0, end: 0, restored: 0, doneAt: null });
      }
    }
    await this.findOffsets(byKey);
    const listener = this.deps.listener();
    const ends = new Map<string, number>();
    for (const [key, r] of byKey) {
      listener?.onRestoreStart?.(r.partition, r.storeName, r.start, r.end);
      if (r.end > r.start) ends.set(key, r.end);
    }
    if (ends.size > 0 && !stopped()) {
      const reader = await PartitionReader.open(this.deps.port, {
        groupPrefix: `${this.deps.config.applicationId}-restore-${this.deps.clientId}`,
        partitions: [...ends.keys()].map((k) => (byKey.get(k) as Restoring).partition),
        consumer: this.deps.consumer,
        starts: new Map([...ends.keys()].map((k) => [k, (byKey.get(k) as Restoring).start])),
      });
      const progress = setInterval(() => logProgress(this.deps.clientId, [...ends.keys()].map((k) => byKey.get(k) as Restoring)), RESTORE_PROGRESS_LOG_INTERVAL_MS);
      progress.unref();
      try {
        await reader.readToEnd(ends, (b) => this.applyBatch(b, byKey, listener), this.deps.timeoutMs, stopped);
      } finally {
        clearInterval(progress);
        await reader.close().catch(() => {});
      }
    }
    if (stopped()) return;
    logTasksRestored([...byKey.values()], startedAt, Date.now());
    for (const r of byKey.values()) {
      // the store now reflects its changelog up to the end offset taken at the start
      if (r.end > 0) r.task.changelogOffsets.set(r.storeName, Math.max(r.end - 1, r.committed ?? -1));
      listener?.onRestoreEnd?.(r.partition, r.storeName, r.restored);
    }
    for (const t of tasks) {
      // restored writes may sit in caches: write them down (muted: not logged, and no
      // processor listens yet, so nothing is forwarded)
      for (const store of t.topology.stores.values()) store.flush();
      t.collector.muted = false;
      t.task.initializeProcessors();
      t.restoring = false;
    }
  }

  /**
   * Where each changelog partition's restore starts (after the store's committed offset,
   * or at the partition's start) and ends (its end now).
   */
  private async findOffsets(byKey: ReadonlyMap<string, Restoring>): Promise<void> {
    const topics = new Set([...byKey.values()].map((r) => r.partition.topic));
    for (const topic of topics) {
      for (const o of await this.deps.admin.listOffsets(topic)) {
        const r = byKey.get(tpKey(topic, o.partition));
        if (r === undefined) continue;
        r.end = o.latest;
        if (r.committed !== null && r.committed >= o.latest) {
          // the store claims records the changelog does not have (a re-created topic): rebuild it
          console.warn(
            `kstreams: task ${r.task.key}: store ${r.storeName} committed changelog offset ${r.committed}, beyond the end ${o.latest} of ${topic}-${o.partition}; wiping it and restoring from the beginning`,
          );
          r.task.task.persistentStores()?.all().get(r.storeName)?.wipe();
          r.committed = null;
        }
        r.start = r.committed === null ? o.earliest : Math.max(o.earliest, r.committed + 1);
      }
    }
  }

  private applyBatch(b: FetchedBatch, byKey: ReadonlyMap<string, Restoring>, listener: StateRestoreListener | null): void {
    const key = tpKey(b.topic, b.partition);
    const r = byKey.get(key);
    if (r === undefined) return;
    let n = 0;
    let last = -1;
    for (const rec of b.records) {
      // stop at the end offset taken at the start: later records are the live task's
      if (rec.offset >= r.end) break;
      // records before the start (should the seek not have taken effect): the store has them
      if (rec.offset < r.start) continue;
      r.apply(rec);
      last = rec.offset;
      n++;
    }
    r.restored += n;
    if (last >= r.end - 1) r.doneAt = Date.now();
    this.restored.set(key, (this.restored.get(key) ?? 0) + n);
    if (n > 0) listener?.onBatchRestored?.(r.partition, r.storeName, last, n);
  }
}

/** One line: how far each changelog partition still being restored has come. */
function logProgress(clientId: string, restoring: readonly Restoring[]): void {
  const open = restoring.filter((r) => r.doneAt === null);
  if (open.length === 0) return;
  const parts = open.map((r) => `${r.partition.topic}-${r.partition.partition} (store ${r.storeName}): ${r.restored}/${r.end - r.start}`);
  const restored = open.reduce((n, r) => n + r.restored, 0);
  const total = open.reduce((n, r) => n + (r.end - r.start), 0);
  console.info(`kstreams: ${clientId}: restoration in progress for ${open.length} changelog partition(s), ${restored}/${total} records restored: ${parts.join(', ')}`);
}

/** One line per task: the records restored into its stores and how long it took. */
function logTasksRestored(restored: readonly Restoring[], startedAt: number, now: number): void {
  const byTask = new Map<string, Restoring[]>();
  for (const r of restored) byTask.set(r.task.key, [...(byTask.get(r.task.key) ?? []), r]);
  for (const [task, rs] of byTask) {
    const records = rs.reduce((n, r) => n + r.restored, 0);
    const ms = Math.max(...rs.map((r) => (r.end > r.start ? (r.doneAt ?? now) : startedAt))) - startedAt;
    console.info(`kstreams: task ${task}: restored ${records} record(s) into ${rs.length} store(s) from their changelogs in ${ms} ms`);
  }
}

/** The changelog offset a task's persistent store committed, or null (in-memory, none committed, or found corrupt). */
function committedOffset(t: ActiveTask, storeName: string): number | null {
  const stores = t.task.persistentStores();
  if (stores === undefined || stores.corruptedStores().includes(storeName)) return null;
  return stores.committedOffset(storeName);
}
