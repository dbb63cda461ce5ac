/** What a handler decides about a failed record. */
export const HandlerResponse = {
  CONTINUE: 'continue',
  FAIL: 'fail',
} as const;
export type HandlerResponse = (typeof HandlerResponse)[keyof typeof HandlerResponse];

/** Where a failing record came from. */
export interface FailedRecordContext {
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
  /** The processor that failed (processing errors only). */
  readonly processorNodeId?: string;
}

/** Deserialization errors: fail the task (default) or skip the record. */
export type DeserializationHandler =
  | 'logAndFail'
  | 'logAndContinue'
  | ((context: FailedRecordContext, error: Error) => HandlerResponse);

/** Errors thrown by user code while processing: fail (default) or drop the record. */
export type ProcessingHandler = 'logAndFail' | 'logAndContinue' | ((context: FailedRecordContext, error: Error) => HandlerResponse);

/** Errors when sending a record to Kafka: fail (default) or drop it. */
export type ProductionHandler = 'fail' | 'continue' | ((topic: string, error: Error) => HandlerResponse);

/** Applies a handler config to an error. */
export function decide(
  handler: DeserializationHandler | ProcessingHandler,
  context: FailedRecordContext,
  error: Error,
): HandlerResponse {
  if (handler === 'logAndFail') return 'fail';
  if (handler === 'logAndContinue') {
    console.warn(
      `kstreams: skipping record ${context.topic}-${context.partition}@${context.offset}` +
        `${context.processorNodeId ? ` at ${context.processorNodeId}` : ''}: ${error.message}`,
    );
    return 'continue';
  }
  return handler(context, error);
}
