/** Small helpers shared by the Kafka adapters. No client library in here. */
import type { MemberAssignment, TopicPartition } from './KafkaPort.js';

/** A map key for a topic partition. Topic names cannot contain '|'. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}

/** Sorts partitions by topic, then partition, for stable output. */
export function sortPartitions<T extends TopicPartition>(tps: readonly T[]): T[] {
  return [...tps].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** `a` minus `b`. */
export function partitionsMinus(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const keys = new Set(b.map((tp) => tpKey(tp.topic, tp.partition)));
  return a.filter((tp) => !keys.has(tpKey(tp.topic, tp.partition)));
}

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);
export const EMPTY_ASSIGNMENT: MemberAssignment = Object.freeze({ partitions: Object.freeze([]), userData: EMPTY_BYTES });

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A wake-up signal for pollers: `wait(ms)` resolves after `ms`, or earlier when
 * `notify()` is called. A notify with nobody waiting is remembered until the next wait,
 * so a wake-up between "found nothing" and "start waiting" is not lost.
 */
export class Signal {
  private waiters: (() => void)[] = [];
  private pending = false;

  notify(): void {
    const ws = this.waiters;
    if (ws.length === 0) {
      this.pending = true;
      return;
    }
    this.waiters = [];
    for (const w of ws) w();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }
}

export interface BackoffOptions {
  /** Attempts in all, including the first (default 10). */
  readonly attempts?: number;
  /** First delay in ms (default 20; kafkajs' 300 ms default is what makes back-to-back transactions slow). */
  readonly initialDelayMs?: number;
  /** Largest delay in ms (default 1000). */
  readonly maxDelayMs?: number;
}

/**
 * Runs `fn` until it succeeds, retrying with exponential backoff while `shouldRetry`
 * says so and attempts remain; the last error is rethrown.
 */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  shouldRetry: (e: unknown) => boolean,
  options: BackoffOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  let delay = options.initialDelayMs ?? 20;
  const maxDelay = options.maxDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !shouldRetry(e)) throw e;
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
