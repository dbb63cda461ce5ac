/**
 * The exactly-once system test (Kafka's streams_eos_test.py, failure-and-recovery): a
 * driver produces keyed integers at a steady rate while three application instances,
 * each a separate process with its own state directory, are killed (SIGKILL) and stopped
 * (SIGTERM) at random moments and restarted with their state kept, for a while. Then the
 * driver stops, the instances catch up and stop cleanly, and the verifier checks every
 * output against the input.
 *
 *   npm run test:eos                     (tsx scripts/eos/harness.ts)
 *   EOS_GUARANTEE=at_least_once EOS_SHORT=1 npx tsx scripts/eos/harness.ts
 *
 * Environment:
 *   KAFKA_BOOTSTRAP         broker to use; unset: `scripts/kafka.sh up` in its own run folder
 *                           (KAFKA_RUN_DIR, default .cache/kafka-run-eos); a broker already
 *                           running there is reused and left running, one started here is
 *                           stopped at the end
 *   EOS_KEEP_STATE          1: keep the instances' state directories of a passing run
 *   EOS_GUARANTEE           exactly_once_v2 (default) | at_least_once
 *   EOS_DURATION_SEC        seconds of kills and restarts (default 180; EOS_SHORT=1: 60)
 *   EOS_RATE, EOS_KEYS      driver records/s (default 500) and keys (default 2000)
 *   EOS_INSTANCES           application instances (default 3)
 *   EOS_COMMIT_INTERVAL_MS  the application's commit interval (default 5000)
 *   EOS_SEED                seed of the input and of the kill schedule (default: time)
 *   EOS_WORK_DIR            logs, state directories, reports (default .cache/eos/<run id>)
 *   EOS_FAIL_ON_APP_ERROR   1 (default): an instance that dies on its own fails the run
 *
 * Last lines: a summary, then `EOS-HARNESS PASSED` (exit 0) or `EOS-HARNESS FAILED: ...` (exit 1).
 * What is checked and why: scripts/eos/README.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkajsPort } from '../../src/runtime/kafka/kafkajs/index.js';
import { guarantee, int, internalTopics, PARTITIONS, sleep, tpKey, topicNames } from './common.js';
import type { DriverReport } from './driver.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const KAFKA_SH = join(REPO, 'scripts', 'kafka.sh');

const env = process.env;
const mode = guarantee(env.EOS_GUARANTEE ?? 'exactly_once_v2');
const short = env.EOS_SHORT === '1';
const durationSec = int('EOS_DURATION_SEC', env.EOS_DURATION_SEC ?? (short ? '60' : '180'));
const rate = int('EOS_RATE', env.EOS_RATE ?? '500');
const numKeys = int('EOS_KEYS', env.EOS_KEYS ?? '2000');
const numInstances = int('EOS_INSTANCES', env.EOS_INSTANCES ?? '3');
const commitIntervalMs = int('EOS_COMMIT_INTERVAL_MS', env.EOS_COMMIT_INTERVAL_MS ?? '5000');
const seed = int('EOS_SEED', env.EOS_SEED ?? String(Date.now() % 1_000_000));
const failOnAppError = (env.EOS_FAIL_ON_APP_ERROR ?? '1') === '1';
const runId = `eos-${Date.now().toString(36)}`;
const workDir = env.EOS_WORK_DIR ?? join(REPO, '.cache', 'eos', runId);
const t0 = Date.now();

const elapsed = (): string => `${Math.round((Date.now() - t0) / 1000)}s`.padStart(4);
const say = (line: string): void => console.log(`[eos ${elapsed()}] ${line}`);

/** mulberry32: the kill schedule is reproducible from EOS_SEED. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed ^ 0x5eed);
const between = (lo: number, hi: number): number => lo + random() * (hi - lo);

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

function startChild(script: string, args: string[], logFile: string, onLine: (line: string, stream: 'out' | 'err') => void): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(HERE, script), ...args], {
    cwd: REPO,
    env: { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  appendFileSync(logFile, `\n===== ${new Date().toISOString()} start ${script} pid ${proc.pid}\n`);
  for (const [stream, name] of [
    [proc.stdout, 'out'],
    [proc.stderr, 'err'],
  ] as const) {
    let buffered = '';
    stream?.on('data', (d: Buffer) => {
      appendFileSync(logFile, d);
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) onLine(l, name);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, exited };
}

function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}

// ---------------------------------------------------------------------------
// Application instances
// ---------------------------------------------------------------------------

type Phase = 'down' | 'starting' | 'stopping' | 'killed';

interface Instance {
  readonly name: string;
  readonly stateDir: string;
  readonly logFile: string;
  child: Child | null;
  phase: Phase | 'up';
  /** The client's state as it last printed it. */
  state: string;
  starts: number;
  everRunning: boolean;
  lastProcessed: number;
  /** The process installed its SIGTERM handler (printed its `starting:` line); before that SIGTERM just kills it. */
  ready: boolean;
}

const problems: string[] = [];
const counts = { kills: 0, terms: 0, restarts: 0, appFailures: 0 };
let stopRequested = false;
/** Set before the final SIGTERMs: nothing is restarted any more. */
let finalStop = false;

function instanceArgs(i: Instance, bootstrap: string): string[] {
  return [
    '--bootstrap',
    bootstrap,
    '--application-id',
    runId,
    '--topic-prefix',
    runId,
    '--state-dir',
    i.stateDir,
    '--guarantee',
    mode,
    '--commit-interval-ms',
    String(commitIntervalMs),
    '--name',
    i.name,
  ];
}

/** stderr lines of an instance that are expected after kills: kept in its log, not echoed. */
const BENIGN = /took over the stale lock|restored \d+ record\(s\)/;

function launch(i: Instance, bootstrap: string): void {
  i.starts++;
  i.phase = 'starting';
  i.state = 'CREATED';
  i.ready = false;
  const child = startChild('app.ts', instanceArgs(i, bootstrap), i.logFile, (line, stream) => {
    if (line.includes('] starting: ')) i.ready = true;
    const change = /StateChange: (\w+) -> (\w+)/.exec(line);
    if (change !== null) {
      i.state = change[2] as string;
      if (i.state === 'RUNNING') i.everRunning = true;
      if (i.phase === 'starting' && i.state === 'RUNNING') i.phase = 'up';
      say(`${i.name}: ${change[1]} -> ${change[2]}`);
      return;
    }
    const processed = /processed (\d+) records/.exec(line);
    if (processed !== null) {
      i.lastProcessed = Number(processed[1]);
      return;
    }
    if (/EOS-APP-(EXCEPTION|ERROR|START-FAILED|CLOSE-TIMEOUT)/.test(line)) say(`${i.name}: ${line.replace(/^\S+ \[\w+\] /, '')}`);
    else if (stream === 'err' && line.trim() !== '' && !BENIGN.test(line)) say(`${i.name} stderr: ${line.slice(0, 300)}`);
  });
  i.child = child;
  const mine = child;
  void child.exited.then(({ code, signal }) => {
    if (i.child !== mine) return;
    i.child = null;
    const expected = i.phase === 'stopping' || i.phase === 'killed';
    const how = signal !== null ? `signal ${signal}` : `exit ${code}`;
    if (i.phase === 'killed') {
      say(`${i.name}: killed (${how})`);
    } else if (i.phase === 'stopping') {
      if (code === 0) say(`${i.name}: stopped cleanly`);
      else {
        problems.push(`${i.name} did not close cleanly on SIGTERM (${how}); see ${i.logFile}`);
        say(`${i.name}: SIGTERM close FAILED (${how})`);
      }
    }
    if (!expected) {
      counts.appFailures++;
      const msg = `${i.name} died on its own (${how}, client state ${i.state}); see ${i.logFile}`;
      say(msg);
      if (failOnAppError) problems.push(msg);
      if (!i.everRunning && code === 1) {
        problems.push(`${i.name} could not start: ${lastLines(i.logFile, 'EOS-APP-START-FAILED')}`);
        stopRequested = true;
      }
    }
    i.phase = 'down';
    // as Kafka's EosTestClient recreates a client that died: bring it back (kills are restarted by the chaos loop)
    if (!expected && !stopRequested) {
      setTimeout(() => {
        if (i.child !== null || stopRequested || finalStop) return;
        counts.restarts++;
        say(`restart ${i.name} after its failure`);
        launch(i, bootstrap);
      }, 2_000);
    }
  });
}

function lastLines(file: string, marker: string): string {
  const text = readFileSync(file, 'utf8');
  const line = text
    .split('\n')
    .reverse()
    .find((l) => l.includes(marker));
  return line?.slice(line.indexOf(marker) + marker.length).trim() ?? '(no message)';
}

async function stop(i: Instance, how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const child = i.child;
  if (child === null) return;
  i.phase = how === 'SIGKILL' ? 'killed' : 'stopping';
  child.proc.kill(how);
  if (how === 'SIGTERM') {
    const timer = setTimeout(() => {
      problems.push(`${i.name} did not exit within 90 s of SIGTERM; killed`);
      child.proc.kill('SIGKILL');
    }, 90_000);
    await child.exited;
    clearTimeout(timer);
  } else {
    await child.exited;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (stopRequested) return false;
    if (Date.now() > end) {
      problems.push(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      say(`timed out waiting for ${what}`);
      return false;
    }
    await sleep(250);
  }
  return true;
}

// ---------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------

/**
 * The harness's broker lives in its own run folder (pid, port, data), not the one vitest's
 * global setup uses: a concurrent `npm test` then neither stops it mid-run nor has its
 * own broker stopped by this harness. The jars are shared (KSTREAMS_CACHE).
 */
const KAFKA_RUN_DIR = env.KAFKA_RUN_DIR ?? join(REPO, '.cache', 'kafka-run-eos');

function kafkaSh(cmd: 'up' | 'down' | 'status' | 'env'): { ok: boolean; out: string } {
  try {
    const out = execFileSync('bash', [KAFKA_SH, cmd], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
      env: { ...env, KAFKA_RUN_DIR },
    });
    return { ok: true, out };
  } catch (e) {
    return { ok: false, out: String((e as { stdout?: unknown }).stdout ?? '') };
  }
}

function bootstrapFrom(out: string): string {
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('KAFKA_BOOTSTRAP='));
  if (line === undefined) throw new Error(`scripts/kafka.sh printed no KAFKA_BOOTSTRAP line:\n${out}`);
  return line.slice('KAFKA_BOOTSTRAP='.length).trim();
}

async function provisionBroker(): Promise<{ bootstrap: string; stopAtEnd: boolean }> {
  if (env.KAFKA_BOOTSTRAP) return { bootstrap: env.KAFKA_BOOTSTRAP, stopAtEnd: false };
  const running = kafkaSh('status').ok;
  if (running) {
    const bootstrap = bootstrapFrom(kafkaSh('env').out);
    say(`using the broker already running at ${bootstrap} from ${KAFKA_RUN_DIR} (left running)`);
    return { bootstrap, stopAtEnd: false };
  }
  say(`KAFKA_BOOTSTRAP is not set: starting a broker with scripts/kafka.sh up (KAFKA_RUN_DIR=${KAFKA_RUN_DIR})`);
  const up = kafkaSh('up');
  if (!up.ok) throw new Error('scripts/kafka.sh up failed (see above)');
  const bootstrap = bootstrapFrom(up.out);
  // as test/setup/kafkaGlobalSetup.ts: warm up the group and transaction coordinators
  execFileSync(process.execPath, [join(REPO, 'scripts', 'kafka-smoke.mjs')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
    env: { ...env, KAFKA_BOOTSTRAP: bootstrap },
  });
  say(`broker ready at ${bootstrap}`);
  return { bootstrap, stopAtEnd: true };
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

async function run(bootstrap: string): Promise<boolean> {
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  const topics = topicNames(runId);
  const internal = internalTopics(runId);
  say(
    `run ${runId}: ${mode}, ${durationSec} s of kills, ${numInstances} instances, ${rate} records/s over ${numKeys} keys, ` +
      `commit interval ${commitIntervalMs} ms, seed ${seed}; files in ${workDir}`,
  );

  const port = new KafkajsPort({ brokers: bootstrap, clientId: 'eos-harness', logLevel: 'error' });
  try {
    const admin = await port.admin();
    try {
      await admin.createTopics(Object.values(topics).map((name) => ({ name, numPartitions: PARTITIONS, replicationFactor: 1 })));
    } finally {
      await admin.close();
    }

    // the driver
    let produced = 0;
    const reportFile = join(workDir, 'driver-report.json');
    const driver = startChild(
      'driver.ts',
      ['--bootstrap', bootstrap, '--topic', topics.data, '--report', reportFile, '--rate', String(rate), '--keys', String(numKeys), '--seed', String(seed)],
      join(workDir, 'logs', 'driver.log'),
      (line, stream) => {
        const m = /driver: (\d+) records produced/.exec(line);
        if (m !== null) produced = Number(m[1]);
        else if (stream === 'err' || /driver: (producing|stopped)/.test(line)) say(line);
      },
    );
    void driver.exited.then(({ code }) => {
      if (code !== 0) {
        problems.push(`the driver exited with ${code}; see ${join(workDir, 'logs', 'driver.log')}`);
        stopRequested = true;
      }
    });

    // the instances: started one after the other, as Kafka's test adds them
    const instances: Instance[] = Array.from({ length: numInstances }, (_, n) => {
      const name = String.fromCharCode(65 + n);
      return {
        name,
        stateDir: join(workDir, `state-${name}`),
        logFile: join(workDir, 'logs', `app-${name}.log`),
        child: null,
        phase: 'down',
        state: 'CREATED',
        starts: 0,
        everRunning: false,
        lastProcessed: 0,
        ready: false,
      };
    });
    for (const i of instances) {
      launch(i, bootstrap);
      if (!(await until(`${i.name} to reach RUNNING`, () => i.state === 'RUNNING', 120_000))) break;
    }

    const progress = (): void => {
      const states = instances.map((i) => `${i.name}:${i.child === null ? 'down' : i.state}`).join(' ');
      say(`produced ${produced} | kills ${counts.kills} terms ${counts.terms} restarts ${counts.restarts} | ${states}`);
    };
    const progressTimer = setInterval(progress, 5_000);

    // kills and restarts for the duration, counted from when every instance first ran
    const chaosEnd = Date.now() + durationSec * 1000;
    const restarts: Promise<void>[] = [];
    let nextEvent = Date.now() + between(3_000, 8_000);
    while (Date.now() < chaosEnd && !stopRequested) {
      await sleep(200);
      if (Date.now() < nextEvent) continue;
      nextEvent = Date.now() + between(4_000, 12_000);
      const live = instances.filter((i) => i.child !== null && (i.phase === 'up' || i.phase === 'starting'));
      if (live.length < 2) continue; // keep one instance alive; the others may be anywhere in their life cycle
      const victim = live[Math.floor(random() * live.length)] as Instance;
      // SIGTERM only once the process can handle it (a process still loading just dies)
      const how = random() < 0.6 || !victim.ready ? 'SIGKILL' : 'SIGTERM';
      if (how === 'SIGKILL') counts.kills++;
      else counts.terms++;
      say(`${how} ${victim.name} (client state ${victim.state})`);
      const downFor = between(1_000, 8_000);
      restarts.push(
        stop(victim, how).then(async () => {
          await sleep(downFor);
          if (stopRequested) return;
          counts.restarts++;
          say(`restart ${victim.name} with its state directory`);
          launch(victim, bootstrap);
        }),
      );
    }

    // the end: stop the driver, bring every instance back, let them catch up, stop them
    say(`kills over (${counts.kills} SIGKILL, ${counts.terms} SIGTERM, ${counts.restarts} restarts); stopping the driver`);
    driver.proc.kill('SIGTERM');
    await driver.exited;
    await Promise.all(restarts);
    if (!existsSync(reportFile)) throw new Error(`the driver wrote no report (${reportFile})`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DriverReport;
    produced = report.sent;
    say(`driver stopped: ${report.sent} records acknowledged`);
    if (!stopRequested) {
      for (const i of instances) {
        if (i.child === null) {
          counts.restarts++;
          say(`restart ${i.name} for the final catch-up`);
          launch(i, bootstrap);
        }
      }
      await until('all instances RUNNING', () => instances.every((i) => i.state === 'RUNNING'), 180_000);
      await catchUp(port, topics.data, internal.repartition, instances);
    }
    clearInterval(progressTimer);
    progress();
    say('stopping every instance with SIGTERM');
    finalStop = true;
    await Promise.all(instances.map((i) => stop(i, 'SIGTERM')));

    // the verifier
    if (stopRequested && counts.restarts === 0 && instances.every((i) => !i.everRunning)) {
      say('the application never ran; skipping the verifier');
      return false;
    }
    say('running the verifier');
    const verifier = startChild(
      'verify.ts',
      [
        '--bootstrap',
        bootstrap,
        '--topic-prefix',
        runId,
        '--application-id',
        runId,
        '--driver-report',
        reportFile,
        '--guarantee',
        mode,
        '--result',
        join(workDir, 'verify-result.json'),
      ],
      join(workDir, 'logs', 'verify.log'),
      (line) => console.log(line),
    );
    const { code } = await verifier.exited;
    const verified = code === 0;
    if (!verified) problems.push(`the verifier failed (exit ${code}); see its lines above and ${join(workDir, 'logs', 'verify.log')}`);

    console.log('');
    say('summary');
    console.log(`  guarantee            ${mode}`);
    console.log(`  records produced     ${report.sent} (${rate}/s for ${Math.round((Date.parse(report.stoppedAt) - Date.parse(report.startedAt)) / 1000)} s, ${numKeys} keys, seed ${seed})`);
    console.log(`  SIGKILLs             ${counts.kills}`);
    console.log(`  SIGTERMs             ${counts.terms}`);
    console.log(`  restarts             ${counts.restarts}`);
    console.log(`  instance failures    ${counts.appFailures}${counts.appFailures > 0 && !failOnAppError ? ' (EOS_FAIL_ON_APP_ERROR=0: not a failure)' : ''}`);
    console.log(`  verifier             ${verified ? 'PASSED' : 'FAILED'}`);
    console.log(`  files                ${workDir}`);
    if (problems.length === 0 && env.EOS_KEEP_STATE !== '1') for (const i of instances) rmSync(i.stateDir, { recursive: true, force: true });
    return problems.length === 0;
  } finally {
    await port.close().catch(() => {});
  }
}

/**
 * Waits until the group has processed everything: its committed offsets of the input
 * topic equal the end offsets, and no committed offset (input or repartition topic) has
 * moved for longer than a commit interval while every instance is RUNNING (so no task
 * is still working through a backlog of the repartition topic).
 */
async function catchUp(port: KafkajsPort, data: string, repartition: string, instances: Instance[]): Promise<void> {
  const admin = await port.admin();
  try {
    const partitions = [data, repartition].flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    let last = '';
    let stableSince = Date.now();
    let lag = -1;
    let lastSay = 0;
    await until(
      'the application to commit all its input',
      async () => {
        const ends = new Map((await admin.listOffsets(data)).map((o) => [tpKey(data, o.partition), o.latest]));
        const committed = await admin.fetchCommittedOffsets(runId, partitions);
        const snapshot = committed.map((c) => `${c.topic}|${c.partition}=${c.offset}`).join(',');
        if (snapshot !== last || !instances.every((i) => i.state === 'RUNNING')) {
          last = snapshot;
          stableSince = Date.now();
        }
        lag = committed.filter((c) => c.topic === data).reduce((n, c) => n + ((ends.get(tpKey(c.topic, c.partition)) ?? 0) - (c.offset ?? 0)), 0);
        if (Date.now() - lastSay > 5_000) {
          lastSay = Date.now();
          say(`catching up: ${lag} input records not committed yet`);
        }
        return lag === 0 && Date.now() - stableSince > commitIntervalMs + 3_000;
      },
      240_000,
    );
    say(`caught up: input lag ${lag}, committed offsets stable for ${Math.round((Date.now() - stableSince) / 1000)} s`);
  } finally {
    await admin.close();
  }
}

// ---------------------------------------------------------------------------

let broker: { bootstrap: string; stopAtEnd: boolean } | null = null;
const shutdown = (signal: string): void => {
  say(`${signal}: killing every child process`);
  killAll();
  if (broker?.stopAtEnd) kafkaSh('down');
  process.exit(130);
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

let passed = false;
try {
  broker = await provisionBroker();
  passed = await run(broker.bootstrap);
} catch (e) {
  problems.push(`harness error: ${(e as Error).stack ?? String(e)}`);
} finally {
  killAll();
  if (broker?.stopAtEnd) {
    say('stopping the broker this run started (scripts/kafka.sh down)');
    kafkaSh('down');
  }
}
if (passed && problems.length === 0) {
  console.log(`EOS-HARNESS PASSED (${mode})`);
  process.exit(0);
}
for (const p of problems) console.log(`  problem: ${p}`);
console.log(`EOS-HARNESS FAILED (${mode}): ${problems.length} problem(s)`);
process.exit(1);
