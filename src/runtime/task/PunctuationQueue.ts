import type { Cancellable, Punctuator } from '../../processor/Processor.js';
import type { ProcessorNode } from '../../topology/nodes/ProcessorNode.js';

interface Schedule {
  node: ProcessorNode;
  next: number;
  readonly interval: number;
  readonly punctuator: Punctuator;
  cancelled: boolean;
}

/**
 * Scheduled punctuations of one clock (stream time or wall clock). When time
 * jumps over several intervals a punctuation fires once, and the next one is
 * aligned to its schedule, as in Kafka.
 */
export class PunctuationQueue {
  private schedules: Schedule[] = [];

  schedule(node: ProcessorNode, first: number, interval: number, punctuator: Punctuator): Cancellable {
    const s: Schedule = { node, next: first, interval, punctuator, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
      },
    };
  }

  /** Fires every due punctuation at `now`, earliest first; returns whether any fired. */
  mayPunctuate(now: number, fire: (node: ProcessorNode, timestamp: number, punctuator: Punctuator) => void): boolean {
    let fired = false;
    if (this.schedules.length === 0) return false;
    for (;;) {
      this.schedules = this.schedules.filter((s) => !s.cancelled);
      let due: Schedule | null = null;
      for (const s of this.schedules) if (s.next <= now && (due === null || s.next < due.next)) due = s;
      if (due === null) return fired;
      fire(due.node, now, due.punctuator);
      fired = true;
      let next = due.next + due.interval;
      if (now >= next) {
        // missed one or more intervals: fire once, then realign
        const missed = Math.floor((now - due.next) / due.interval);
        next = due.next + (missed + 1) * due.interval;
      }
      due.next = next;
    }
  }

  get size(): number {
    return this.schedules.filter((s) => !s.cancelled).length;
  }
}
