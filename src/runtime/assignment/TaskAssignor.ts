/**
 * Kafka-style task assignment, as a pure function: whole tasks go to members (stream
 * threads), balanced in count (every member gets floor(T/M) or ceil(T/M)), sticky
 * (a member keeps the tasks it owns, whose state is already in its memory, as far as
 * balance allows), and spreading each sub-topology's tasks over members.
 */

/** One member as the assignor sees it. */
export interface AssignableMember {
  readonly memberId: string;
  /** Tasks the member owned before this rebalance (from its subscription). */
  readonly prevTasks: readonly string[];
}

/** Sub-topology of a task id `<subtopology>_<partition>`. */
function subtopologyOf(task: string): string {
  return task.slice(0, task.indexOf('_'));
}

/**
 * Assigns `tasks` (sorted: sub-topology, then partition) to `members` (in a stable
 * order). A task claimed by several members as previous (a zombie) goes to the first
 * claimant with room. Returns the tasks of every member, each list sorted as `tasks`.
 */
export function assignTasks(tasks: readonly string[], members: readonly AssignableMember[]): Map<string, string[]> {
  const result = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  if (members.length === 0) return result;
  const index = new Map(tasks.map((t, i) => [t, i]));
  const base = Math.floor(tasks.length / members.length);
  let extras = tasks.length % members.length;
  const owner = new Map<string, string>();
  const give = (task: string, memberId: string): void => {
    owner.set(task, memberId);
    (result.get(memberId) as string[]).push(task);
  };
  const load = (memberId: string): number => (result.get(memberId) as string[]).length;
  const keepable = (m: AssignableMember): string[] =>
    m.prevTasks.filter((t) => index.has(t) && !owner.has(t)).sort((a, b) => (index.get(a) as number) - (index.get(b) as number));

  // 1. stickiness up to the even share
  for (const m of members) for (const t of keepable(m)) if (load(m.memberId) < base) give(t, m.memberId);
  // 2. one more previous task each, while the remainder allows
  for (const m of members) {
    if (extras === 0) break;
    const t = keepable(m)[0];
    if (load(m.memberId) === base && t !== undefined) {
      give(t, m.memberId);
      extras--;
    }
  }
  // 3. the rest: to the least loaded member with room, preferring one with fewest tasks of
  //    the same sub-topology, so each sub-topology spreads over the members
  for (const t of tasks) {
    if (owner.has(t)) continue;
    const sub = subtopologyOf(t);
    let best: AssignableMember | null = null;
    let bestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (const m of members) {
      const l = load(m.memberId);
      const room = l < base || (l === base && extras > 0);
      if (!room) continue;
      const same = (result.get(m.memberId) as string[]).filter((x) => subtopologyOf(x) === sub).length;
      const key: [number, number] = [l, same];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = m;
        bestKey = key;
      }
    }
    if (best === null) throw new Error(`task assignment: no member has room for ${t} (bug)`);
    if (load(best.memberId) === base) extras--;
    give(t, best.memberId);
  }
  for (const list of result.values()) list.sort((a, b) => (index.get(a) as number) - (index.get(b) as number));
  return result;
}
