import type { TaskId as TaskIdShape } from '../processor/Processor.js';

/** A task: one sub-topology on one partition (group), printed as `<subtopology>_<partition>`. */
export class TaskId implements TaskIdShape {
  constructor(
    readonly subtopology: number,
    readonly partition: number,
  ) {}

  toString(): string {
    return `${this.subtopology}_${this.partition}`;
  }

  static parse(s: string): TaskId {
    const m = /^(\d+)_(\d+)$/.exec(s);
    if (!m) throw new Error(`Invalid task id '${s}', expected <subtopology>_<partition>`);
    return new TaskId(Number(m[1]), Number(m[2]));
  }
}
