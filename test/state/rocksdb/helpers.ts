import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskId } from '../../../src/runtime/TaskId.js';
import { Serdes } from '../../../src/serdes/Serdes.js';
import type { StateStore, StoreContext } from '../../../src/state/StateStore.js';
import { storeContext } from '../storeHarness.js';

/** A fresh state directory root for one test; remove it with `cleanup`. */
export function tempStateDir(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'kstreams-test-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The harness's store context, for task `taskId`, with the runtime's `stateDir` (the task directory) when given. */
export function contextFor(stateDir: string | undefined, taskId = new TaskId(0, 0)): StoreContext & { registered: StateStore[] } {
  const h = storeContext();
  const registered: StateStore[] = [];
  return {
    ...h.context,
    taskId,
    defaultKeySerde: Serdes.String() as never,
    register: (s: StateStore) => registered.push(s),
    ...(stateDir === undefined ? {} : { stateDir }),
    registered,
  };
}

/** Collects warnings instead of printing them. */
export function warnings(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const str = (buf: Buffer | null | undefined): string | null => (buf == null ? null : buf.toString('latin1'));
export const entries = (it: Iterable<{ key: Buffer; value: Buffer }>): [string, string][] =>
  [...it].map((kv) => [kv.key.toString('latin1'), kv.value.toString('latin1')]);
