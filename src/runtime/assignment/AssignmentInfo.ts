/**
 * The userData kstreams members exchange through the group protocol (Kafka's
 * SubscriptionInfo and AssignmentInfo), as versioned JSON: small, debuggable, and never
 * read by anything but kstreams (the protocol name keeps Java members out of the group).
 */

export const USER_DATA_VERSION = 1;

/** Error codes in an assignment (Kafka's AssignorError). */
export const AssignorError = {
  NONE: 0,
  /** A member asked the whole application to shut down (SHUTDOWN_APPLICATION). */
  SHUTDOWN_REQUESTED: 1,
} as const;
export type AssignorError = (typeof AssignorError)[keyof typeof AssignorError];

/** What a member (one stream thread's consumer) tells the leader when it joins. */
export interface SubscriptionInfo {
  readonly version: number;
  /** Identifies the KafkaStreams client (process) the thread belongs to. */
  readonly processId: string;
  /** The client's `applicationServer` (host:port), for interactive queries. */
  readonly applicationServer?: string;
  /** Active tasks the thread owns right now: the assignor keeps them where they are (sticky). */
  readonly prevTasks: readonly string[];
  /** Set by a client whose handler answered SHUTDOWN_APPLICATION. */
  readonly shutdownRequested?: boolean;
}

/** Where the tasks and partitions of one client are, for interactive queries. */
export interface HostInfo {
  readonly tasks: readonly string[];
  readonly partitions: readonly (readonly [string, number])[];
}

/** What the leader tells each member. */
export interface AssignmentInfo {
  readonly version: number;
  /** The member's active tasks (its partitions are exactly theirs). */
  readonly activeTasks: readonly string[];
  /** Tasks and partitions by applicationServer, over the whole group. */
  readonly hosts: Readonly<Record<string, HostInfo>>;
  readonly error: AssignorError;
}

export function encodeSubscription(info: SubscriptionInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

/** Decodes a member's subscription; unreadable or foreign userData counts as "no previous tasks". */
export function decodeSubscription(bytes: Buffer): SubscriptionInfo {
  const parsed = parse(bytes) as Partial<SubscriptionInfo> | null;
  return {
    version: typeof parsed?.version === 'number' ? parsed.version : 0,
    processId: typeof parsed?.processId === 'string' ? parsed.processId : '',
    applicationServer: typeof parsed?.applicationServer === 'string' ? parsed.applicationServer : undefined,
    prevTasks: Array.isArray(parsed?.prevTasks) ? parsed.prevTasks.filter((t): t is string => typeof t === 'string') : [],
    shutdownRequested: parsed?.shutdownRequested === true,
  };
}

export function encodeAssignment(info: AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

/** Decodes a member's assignment; empty userData (the kafkajs adapter can miss it) reads as "no news". */
export function decodeAssignment(bytes: Buffer): AssignmentInfo | null {
  const parsed = parse(bytes) as Partial<AssignmentInfo> | null;
  if (parsed === null || typeof parsed.version !== 'number') return null;
  return {
    version: parsed.version,
    activeTasks: Array.isArray(parsed.activeTasks) ? parsed.activeTasks : [],
    hosts: parsed.hosts ?? {},
    error: parsed.error === AssignorError.SHUTDOWN_REQUESTED ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE,
  };
}

function parse(bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}
