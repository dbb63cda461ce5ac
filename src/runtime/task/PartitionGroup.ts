import type { RecordQueue } from './RecordQueue.js';
import type { StampedRecord } from './RawRecord.js';

/**
 * The input partitions of a task. The next record to process is the head
 * with the lowest timestamp across partitions, so a task processes its inputs
 * in timestamp order as far as the buffered data allows (ties go to the
 * partition registered first).
 */
export class PartitionGroup {
  private readonly queues: RecordQueue[] = [];
  /** Queues by topic, indexed by partition: no string building on the hot path. */
  private readonly byTopic = new Map<string, RecordQueue[]>();
  /** Max timestamp of the records processed (-1 before any). */
  streamTime = -1;

  addQueue(queue: RecordQueue): void {
    this.queues.push(queue);
    let list = this.byTopic.get(queue.topic);
    if (list === undefined) {
      list = [];
      this.byTopic.set(queue.topic, list);
    }
    list[queue.partition] = queue;
  }

  queue(topic: string, partition: number): RecordQueue | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  allQueues(): readonly RecordQueue[] {
    return this.queues;
  }

  /** Picks and removes the next record, or returns null when every queue is empty. */
  nextRecord(): { record: StampedRecord; queue: RecordQueue } | null {
    let best: RecordQueue | null = null;
    let bestTs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queues.length; i++) {
      const q = this.queues[i] as RecordQueue;
      const h = q.head();
      if (h !== null && h.timestamp < bestTs) {
        best = q;
        bestTs = h.timestamp;
      }
    }
    if (best === null) return null;
    const record = best.poll() as StampedRecord;
    if (record.timestamp > this.streamTime) this.streamTime = record.timestamp;
    return { record, queue: best };
  }

  /** True when every partition has a buffered record. */
  allPartitionsBuffered(): boolean {
    return this.queues.every((q) => !q.isEmpty());
  }

  hasBuffered(): boolean {
    return this.queues.some((q) => !q.isEmpty());
  }

  numBuffered(): number {
    let n = 0;
    for (const q of this.queues) n += q.size();
    return n;
  }
}
