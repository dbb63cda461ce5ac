/**
 * Vitest global setup: when the selected tests include Kafka integration tests
 * and no KAFKA_BOOTSTRAP is given, start a real single-node Kafka (scripts/kafka.sh,
 * jars from Maven Central) for the run and stop it afterwards. Integration tests
 * read the address from KAFKA_BOOTSTRAP. Without Java, they are skipped with one
 * line saying why, unless REQUIRE_KAFKA=1 (as in CI), which makes it an error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));
const smoke = fileURLToPath(new URL('../../scripts/kafka-smoke.mjs', import.meta.url));

/** Filters given on the command line (vitest run <filter>...): integration tests are selected if none or one matches. */
function integrationSelected(): boolean {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.includes('vitest'));
  if (args.length === 0) return true;
  return args.some((a) => /integration|runtime|kafka/.test(a) || 'test/runtime/kafka/kafkajs.integration.test.ts'.includes(a));
}

let started = false;

export async function setup(): Promise<void> {
  if (process.env.KAFKA_BOOTSTRAP) return;
  if (!integrationSelected()) return;
  const required = process.env.REQUIRE_KAFKA === '1';
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (java.status !== 0) {
    const msg = 'Kafka integration tests skipped: java is not installed (Java 17 and Maven provision the local broker).';
    if (required) throw new Error(`REQUIRE_KAFKA=1 but ${msg}`);
    console.log(msg);
    return;
  }
  // a broker that was already up (another run, or a developer's) is used and left running
  const alreadyUp = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  let out: string;
  try {
    out = execFileSync('bash', [script, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  } catch (e) {
    const msg = `Kafka integration tests cannot run: scripts/kafka.sh up failed (${(e as Error).message.split('\n')[0]}).`;
    if (required) throw new Error(msg);
    console.log(msg);
    return;
  }
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('KAFKA_BOOTSTRAP='));
  if (line === undefined) throw new Error(`scripts/kafka.sh up printed no KAFKA_BOOTSTRAP line:\n${out}`);
  process.env.KAFKA_BOOTSTRAP = line.slice('KAFKA_BOOTSTRAP='.length);
  started = !alreadyUp;
  // A fresh broker loads its group and transaction coordinators on first use, and kafkajs
  // consumers that meet "coordinator is loading" in their first join can stall for a long
  // while: warm both up once (a group consumer and a transaction) before any test runs.
  execFileSync('node', [smoke], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000, env: process.env });
  console.log(`Kafka broker for integration tests at ${process.env.KAFKA_BOOTSTRAP}`);
}

export async function teardown(): Promise<void> {
  if (started) execFileSync('bash', [script, 'down'], { stdio: 'inherit', timeout: 120_000 });
}
