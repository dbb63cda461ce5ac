/**
 * The exactly-once system test, short version: scripts/eos/harness.ts in a child process
 * against the broker at KAFKA_BOOTSTRAP (vitest's global setup starts one): a driver
 * produces for about a minute while three application instances in their own processes
 * are killed (SIGKILL), stopped (SIGTERM) and restarted with their state; then the
 * verifier checks every output topic against the input. The full version is
 * `npm run test:eos` (180 s of kills; it starts its own broker if needed).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The guarantee the test runs under: exactly_once_v2, where any duplicate or gap fails.
 * EOS_GUARANTEE=at_least_once in the environment runs the same harness checking only
 * that nothing is lost.
 */
const GUARANTEE: 'exactly_once_v2' | 'at_least_once' = 'exactly_once_v2';

const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '';
const guarantee = process.env.EOS_GUARANTEE ?? GUARANTEE;
const title = bootstrap
  ? `EOS system test (${guarantee}, short) on the broker at ${bootstrap}`
  : 'EOS system test (SKIPPED: KAFKA_BOOTSTRAP is not set; run `bash scripts/kafka.sh up` and pass the address it prints)';
const harness = fileURLToPath(new URL('../../scripts/eos/harness.ts', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(bootstrap === '')(title, () => {
  it(
    'every record is delivered through kills and restarts of three instances',
    async () => {
      const lines: string[] = [];
      const child = spawn(process.execPath, ['--import', 'tsx', harness], {
        cwd: repo,
        env: { ...process.env, KAFKA_BOOTSTRAP: bootstrap, EOS_GUARANTEE: guarantee, EOS_SHORT: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let buffered = '';
      const take = (d: Buffer): void => {
        buffered += d.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const l of parts) {
          lines.push(l);
          // progress shows up as the harness runs (it prints a line every 5 s)
          process.stdout.write(`${l}\n`);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      if (buffered !== '') lines.push(buffered);
      const tail = lines.slice(-60).join('\n');
      expect(lines, `the verifier did not pass; last lines of the harness:\n${tail}`).toContain('ALL-RECORDS-DELIVERED');
      expect(code, `the harness failed; last lines:\n${tail}`).toBe(0);
      expect(lines.some((l) => l.startsWith('EOS-HARNESS PASSED'))).toBe(true);
    },
    // ~60 s of kills plus start-up, catch-up and verification, on a busy 2-core machine
    420_000,
  );
});
