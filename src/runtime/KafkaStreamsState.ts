/**
 * The lifecycle of a KafkaStreams client and of its stream threads, as Kafka's
 * `KafkaStreams.State` and `StreamThread.State`: explicit states with a table of legal
 * transitions, so an illegal move is a bug that fails loudly instead of a silent mix-up.
 */

/** State of a KafkaStreams client. */
export const KafkaStreamsState = {
  /** Constructed, not started. */
  CREATED: 'CREATED',
  /** Threads are joining the group, receiving tasks or restoring state. */
  REBALANCING: 'REBALANCING',
  /** Every thread runs its tasks. */
  RUNNING: 'RUNNING',
  /** close() was called: committing and releasing everything. */
  PENDING_SHUTDOWN: 'PENDING_SHUTDOWN',
  /** Closed cleanly. */
  NOT_RUNNING: 'NOT_RUNNING',
  /** A fatal error is shutting the client down. */
  PENDING_ERROR: 'PENDING_ERROR',
  /** Shut down after a fatal error; close() it and create a new client to continue. */
  ERROR: 'ERROR',
} as const;
export type KafkaStreamsState = (typeof KafkaStreamsState)[keyof typeof KafkaStreamsState];

/** Kafka's table (KafkaStreams.State): from each state, where the client may go. */
export const CLIENT_TRANSITIONS: Readonly<Record<KafkaStreamsState, readonly KafkaStreamsState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

/** Receives every client state change (Kafka's `KafkaStreams.StateListener`). */
export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void;

/** State of one stream thread. */
export const StreamThreadState = {
  CREATED: 'CREATED',
  /** Subscribed, waiting for the first assignment. */
  STARTING: 'STARTING',
  /** Tasks of lost partitions are being closed. */
  PARTITIONS_REVOKED: 'PARTITIONS_REVOKED',
  /** New tasks exist and are restoring their stores. */
  PARTITIONS_ASSIGNED: 'PARTITIONS_ASSIGNED',
  RUNNING: 'RUNNING',
  PENDING_SHUTDOWN: 'PENDING_SHUTDOWN',
  DEAD: 'DEAD',
} as const;
export type StreamThreadState = (typeof StreamThreadState)[keyof typeof StreamThreadState];

export const THREAD_TRANSITIONS: Readonly<Record<StreamThreadState, readonly StreamThreadState[]>> = {
  CREATED: ['STARTING', 'PENDING_SHUTDOWN'],
  STARTING: ['PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN'],
  PARTITIONS_REVOKED: ['PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN'],
  PARTITIONS_ASSIGNED: ['PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'RUNNING', 'PENDING_SHUTDOWN'],
  RUNNING: ['PARTITIONS_REVOKED', 'PARTITIONS_ASSIGNED', 'PENDING_SHUTDOWN'],
  PENDING_SHUTDOWN: ['DEAD'],
  DEAD: [],
};

/**
 * What to do when a stream thread dies of an exception (Kafka's
 * `StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse`).
 */
export const StreamThreadExceptionResponse = {
  /**
   * Replace the thread: its tasks are closed without committing (their uncommitted
   * input is reprocessed by whoever gets them, at-least-once), and a new thread joins
   * the group. For the global thread this acts as SHUTDOWN_CLIENT, as in Kafka.
   */
  REPLACE_THREAD: 'REPLACE_THREAD',
  /** Shut this client down: the other threads commit and close; the client ends in ERROR. */
  SHUTDOWN_CLIENT: 'SHUTDOWN_CLIENT',
  /**
   * Shut every instance of the application down: this client rejoins the group with a
   * shutdown request, the group leader's assignor hands every member an error code,
   * and each instance shuts down to ERROR. This client ends in ERROR too.
   */
  SHUTDOWN_APPLICATION: 'SHUTDOWN_APPLICATION',
} as const;
export type StreamThreadExceptionResponse = (typeof StreamThreadExceptionResponse)[keyof typeof StreamThreadExceptionResponse];

/** Decides what happens after a thread's fatal error. The default is SHUTDOWN_CLIENT (Kafka's too). */
export type StreamsUncaughtExceptionHandler = (error: Error) => StreamThreadExceptionResponse;
