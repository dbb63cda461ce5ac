import { KafkaError, KafkaErrorCode } from '../errors.js';
import type { MemberAssignment, MemberSubscription, PartitionAssignor, TopicPartition } from '../KafkaPort.js';
import { EMPTY_ASSIGNMENT, sortPartitions, tpKey } from '../util.js';

/** A member of an embedded group, as the coordinator tracks it. */
export interface GroupMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  readonly assignor: PartitionAssignor;
  readonly sessionTimeoutMs: number;
  /** Last time the member polled or committed. */
  lastSeen: number;
  /** A member waiting inside poll() is alive however long it waits. */
  inPoll: boolean;
  /** Set when the coordinator removed the member (session timeout). */
  evicted: boolean;
  /** The member's assignment from the latest rebalance, and its generation. */
  assignment: MemberAssignment;
  generation: number;
  /** A failed rebalance (the assignor threw), reported by the member's next poll. */
  failure: unknown;
  /** Wakes the member's poller after a rebalance or eviction. */
  readonly wake: () => void;
}

/**
 * One consumer group of the embedded broker: members, generations and committed
 * offsets. A rebalance runs as soon as membership changes (join, leave, eviction):
 * every member's assignor is asked for fresh subscription userData, the leader's
 * (first joined) assignor assigns, and each member learns its new assignment at its
 * next poll. Rebalances run one at a time, in order, so the outcome is deterministic.
 */
export class EmbeddedGroup {
  readonly committed = new Map<string, number>();
  generation = 0;
  private readonly members = new Map<string, GroupMember>();
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(
    readonly groupId: string,
    /** Partition count of an existing topic, undefined for a missing one. */
    private readonly partitionsOf: (topic: string) => number | undefined,
  ) {}

  memberCount(): number {
    return this.members.size;
  }

  isMember(member: GroupMember): boolean {
    return this.members.get(member.memberId) === member && !member.evicted;
  }

  /** Whether `member` owns `tp` in the latest generation. */
  owns(member: GroupMember, tp: TopicPartition): boolean {
    return this.isMember(member) && member.assignment.partitions.some((p) => p.topic === tp.topic && p.partition === tp.partition);
  }

  join(member: GroupMember): Promise<void> {
    const other = this.members.values().next().value;
    if (other !== undefined && other.assignor.name !== member.assignor.name) {
      throw new KafkaError(
        `Group ${this.groupId} uses assignor protocol '${other.assignor.name}', member asked for '${member.assignor.name}'`,
        KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      );
    }
    this.members.set(member.memberId, member);
    return this.requestRebalance();
  }

  leave(member: GroupMember): Promise<void> {
    if (this.members.get(member.memberId) !== member) return Promise.resolve();
    this.members.delete(member.memberId);
    return this.requestRebalance();
  }

  /** Removes members that have not polled within their session timeout. */
  expireMembers(now: number): void {
    let removed = false;
    for (const m of [...this.members.values()]) {
      if (!m.inPoll && now - m.lastSeen > m.sessionTimeoutMs) {
        this.members.delete(m.memberId);
        m.evicted = true;
        m.wake();
        removed = true;
      }
    }
    // nobody awaits this one; its failure surfaces to the members' next poll
    if (removed) this.requestRebalance().catch(() => {});
  }

  /**
   * Queues a rebalance. Requests made while one is queued but not started share it;
   * a failing assignor rejects the promise of the members that triggered it.
   */
  private requestRebalance(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const next = this.chain.then(() => {
      this.queued = null;
      return this.rebalance();
    });
    this.queued = next;
    this.chain = next.catch(() => {});
    return next;
  }

  private async rebalance(): Promise<void> {
    const members = [...this.members.values()];
    const leader = members[0];
    if (leader === undefined) {
      this.generation++;
      return;
    }
    const subscriptions: MemberSubscription[] = members.map((m) => ({
      memberId: m.memberId,
      topics: [...m.topics],
      userData: m.assignor.subscriptionUserData(m.topics),
    }));
    const partitionsPerTopic = new Map<string, number>();
    for (const s of subscriptions) {
      for (const t of s.topics) {
        const n = this.partitionsOf(t);
        if (n !== undefined) partitionsPerTopic.set(t, n);
      }
    }
    let result: ReadonlyMap<string, MemberAssignment>;
    try {
      result = await leader.assignor.assign({ members: subscriptions, partitionsPerTopic });
      this.validate(result, partitionsPerTopic);
    } catch (e) {
      for (const m of members) {
        m.failure = e;
        m.wake();
      }
      throw e;
    }
    const generation = ++this.generation;
    for (const m of members) {
      if (this.members.get(m.memberId) !== m) continue; // left while the assignor ran; another rebalance is queued
      const a = result.get(m.memberId);
      m.assignment = a === undefined ? EMPTY_ASSIGNMENT : { partitions: sortPartitions(a.partitions), userData: a.userData };
      m.generation = generation;
      m.wake();
    }
  }

  /** Catches assignor bugs early: unknown members, partitions that do not exist or are given twice. */
  private validate(result: ReadonlyMap<string, MemberAssignment>, partitionsPerTopic: ReadonlyMap<string, number>): void {
    const seen = new Set<string>();
    for (const [memberId, a] of result) {
      if (!this.members.has(memberId)) continue; // a member that left meanwhile
      for (const tp of a.partitions) {
        const n = partitionsPerTopic.get(tp.topic);
        const key = tpKey(tp.topic, tp.partition);
        if (n === undefined || tp.partition < 0 || tp.partition >= n) {
          throw new KafkaError(`Assignor '${this.assignorName()}' assigned ${tp.topic}-${tp.partition}, which is not a subscribed partition`);
        }
        if (seen.has(key)) throw new KafkaError(`Assignor '${this.assignorName()}' assigned ${tp.topic}-${tp.partition} twice`);
        seen.add(key);
      }
    }
  }

  private assignorName(): string {
    return this.members.values().next().value?.assignor.name ?? '?';
  }
}
