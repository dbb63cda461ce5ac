import { KafkaStateError, ProducerFencedError } from '../errors.js';
import type { TopicPartitionOffset } from '../KafkaPort.js';
import type { PartitionLog, TxnStatus } from './PartitionLog.js';

/** A transaction in progress. */
interface OpenTransaction {
  readonly status: TxnStatus;
  readonly startedAt: number;
  /** Partitions written, to put markers on. */
  readonly partitions: Set<PartitionLog>;
  /** Offsets to commit with the transaction, per group. */
  readonly offsets: Map<string, TopicPartitionOffset[]>;
}

interface TransactionalIdState {
  readonly producerId: number;
  epoch: number;
  timeoutMs: number;
  open: OpenTransaction | null;
}

/** Producer identity handed out by `init`: an operation with an older epoch is fenced. */
export interface ProducerIdentity {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
}

/**
 * The embedded transaction coordinator. As Kafka's: `init` bumps the epoch of a
 * transactional id (aborting the previous holder's open transaction), every
 * operation presents its epoch and is fenced if a newer one exists, commit writes
 * markers and then applies the transaction's group offsets, abort writes markers and
 * drops them, and a transaction open longer than its timeout is aborted with an epoch
 * bump, so its producer is fenced too.
 */
export class TransactionCoordinator {
  private readonly ids = new Map<string, TransactionalIdState>();
  private nextProducerId = 1000;

  constructor(
    /** Applies offsets of a committed transaction to a group. */
    private readonly commitGroupOffsets: (groupId: string, offsets: readonly TopicPartitionOffset[]) => void,
    /** Called when records became visible or a transaction ended. */
    private readonly changed: () => void,
  ) {}

  init(transactionalId: string, timeoutMs: number): ProducerIdentity {
    let state = this.ids.get(transactionalId);
    if (state === undefined) {
      state = { producerId: this.nextProducerId++, epoch: 0, timeoutMs, open: null };
      this.ids.set(transactionalId, state);
    } else {
      if (state.open !== null) this.finish(state, false);
      state.epoch++;
      state.timeoutMs = timeoutMs;
    }
    return { transactionalId, producerId: state.producerId, epoch: state.epoch };
  }

  begin(id: ProducerIdentity, now: number): void {
    const state = this.check(id);
    if (state.open !== null) throw new KafkaStateError(`Transactional id ${id.transactionalId} already has an open transaction`);
    state.open = { status: { state: 'open' }, startedAt: now, partitions: new Set(), offsets: new Map() };
  }

  /** The open transaction's status for records about to be appended to `log`. */
  enlist(id: ProducerIdentity, log: PartitionLog): TxnStatus {
    const open = this.openOf(id);
    open.partitions.add(log);
    return open.status;
  }

  addOffsets(id: ProducerIdentity, groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    const open = this.openOf(id);
    const list = open.offsets.get(groupId) ?? [];
    list.push(...offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
    open.offsets.set(groupId, list);
  }

  /** Commits or aborts the open transaction. */
  end(id: ProducerIdentity, commit: boolean): void {
    const state = this.check(id);
    if (state.open === null) throw new KafkaStateError(`Transactional id ${id.transactionalId} has no open transaction`);
    this.finish(state, commit);
  }

  hasOpen(id: ProducerIdentity): boolean {
    const state = this.ids.get(id.transactionalId);
    return state !== undefined && state.epoch === id.epoch && state.open !== null;
  }

  /** Aborts transactions open longer than their timeout, fencing their producers. */
  expire(now: number): void {
    for (const state of this.ids.values()) {
      if (state.open !== null && now - state.open.startedAt > state.timeoutMs) {
        this.finish(state, false);
        state.epoch++;
      }
    }
  }

  /** Throws ProducerFencedError unless `id` holds the current epoch. */
  check(id: ProducerIdentity): TransactionalIdState {
    const state = this.ids.get(id.transactionalId);
    if (state === undefined || state.epoch !== id.epoch || state.producerId !== id.producerId) {
      throw new ProducerFencedError(
        `Producer with transactional id '${id.transactionalId}' (epoch ${id.epoch}) was fenced by a newer producer or a transaction timeout`,
      );
    }
    return state;
  }

  private openOf(id: ProducerIdentity): OpenTransaction {
    const state = this.check(id);
    if (state.open === null) throw new KafkaStateError(`Transactional id ${id.transactionalId} has no open transaction; call beginTransaction()`);
    return state.open;
  }

  private finish(state: TransactionalIdState, commit: boolean): void {
    const open = state.open as OpenTransaction;
    state.open = null;
    open.status.state = commit ? 'committed' : 'aborted';
    for (const log of open.partitions) log.appendMarker(open.status);
    if (commit) for (const [groupId, offsets] of open.offsets) this.commitGroupOffsets(groupId, offsets);
    this.changed();
  }
}
