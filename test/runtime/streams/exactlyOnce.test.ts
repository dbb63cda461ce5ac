/**
 * exactly_once_v2 on the embedded broker: a crash after each commit step, and a task
 * fenced by a newer producer, end with every count emitted exactly once (read_committed).
 * The same scenarios run on a real broker in test/runtime/exactlyOnce.integration.test.ts.
 */
import { describe, it } from 'vitest';
import { EmbeddedKafka } from '../../../src/index.js';
import { crashAtStep, type EosEnv, fencedTask } from '../fixtures/eosScenarios.js';

describe('exactly_once_v2 on the embedded broker', () => {
  const env = (): EosEnv => ({ port: new EmbeddedKafka(), config: {}, timeoutMs: 15_000 });

  it('a crash after the caches are flushed (transaction open) aborts it: no output is duplicated', async () => {
    await crashAtStep(env(), 'caches-flushed');
  }, 60_000);

  it('a crash between the transaction commit and the store write: restore catches the store up, no duplicate', async () => {
    await crashAtStep(env(), 'kafka-committed');
  }, 60_000);

  it('a crash after the stores are written: nothing is redone', async () => {
    await crashAtStep(env(), 'stores-committed');
  }, 60_000);

  it('a fenced task is closed dirty and re-created from the committed offsets', async () => {
    await fencedTask(env());
  }, 60_000);
});
