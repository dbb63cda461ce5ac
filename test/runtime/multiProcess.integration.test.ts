/**
 * Three word-count instances in separate processes on a REAL broker, sharing a
 * 6-partition topic. Mid-stream one is stopped with SIGTERM (it commits and leaves) and
 * one is killed with SIGKILL (it leaves nothing: its tasks move after the session
 * timeout). The survivor takes over every task, restores the counts from the changelogs
 * and finishes with correct at-least-once output: no input lost, no count below the truth.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { asCounts, createTopics, maxima, produce, readUntil, unique, wordCounts } from './streams/helpers.js';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const title = bootstrap
  ? `KafkaStreams instances in separate processes on the broker at ${bootstrap}`
  : 'KafkaStreams instances in separate processes (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';
const app = fileURLToPath(new URL('./fixtures/wordcountApp.ts', import.meta.url));

interface Instance {
  readonly child: ChildProcess;
  readonly states: string[];
  readonly exited: Promise<number | null>;
}

function launch(env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ['--import', 'tsx', app], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const states: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('STATE ')) states.push(l.slice(6));
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[instance ${child.pid}] ${d.toString()}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, states, exited };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(bootstrap === '')(title, () => {
  const instances: Instance[] = [];
  afterAll(() => {
    for (const i of instances) i.child.kill('SIGKILL');
  });

  it('survives a SIGTERM and a SIGKILL mid-stream with at-least-once output', async () => {
    const port = new KafkajsPort({ brokers: bootstrap, clientId: 'kstreams-mp', logLevel: 'error', fetchMaxWaitMs: 100 });
    try {
      const [input, output] = [unique('mp-lines'), unique('mp-counts')];
      await createTopics(port, { [input]: 6, [output]: 6 });
      const env = { KAFKA_BOOTSTRAP: bootstrap, APP_ID: unique('mp-wc'), INPUT: input, OUTPUT: output };
      for (let i = 0; i < 3; i++) instances.push(launch(env));
      const [killed, stopped, survivor] = instances as [Instance, Instance, Instance];
      await until(() => instances.every((i) => i.states.includes('RUNNING')), 90_000, 'three instances RUNNING');

      const lines: string[] = [];
      const send = async (from: number, to: number) => {
        for (let b = from; b < to; b++) {
          const batch = Array.from({ length: 25 }, (_, i) => `w${(b * 25 + i) % 17} w${(b * 7 + i) % 11} common`);
          lines.push(...batch);
          await produce(port, input, batch.map((l) => [null, l] as const), 1_000 + b * 100);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await send(0, 10);
      stopped.child.kill('SIGTERM');
      await send(10, 20);
      killed.child.kill('SIGKILL');
      await send(20, 30);
      expect(await stopped.exited).toBe(0);
      expect(await killed.exited).toBeNull(); // killed by the signal

      const truth = wordCounts(lines);
      const got = await readUntil(port, output, (rs) => {
        const m = maxima(asCounts(rs));
        return [...truth].every(([w, n]) => (m.get(w) ?? 0) >= n);
      }, 90_000);
      const seen = maxima(asCounts(got));
      for (const [w, n] of truth) expect(seen.get(w), w).toBeGreaterThanOrEqual(n);
      if (process.env.DEBUG_KSTREAMS) console.log({ truth: [...truth], seen: [...seen], states: instances.map((i) => i.states) });
      expect(survivor.states.at(-1)).toBe('RUNNING');
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
    } finally {
      await port.close();
    }
  }, 240_000);
});
