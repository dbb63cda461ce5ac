#!/usr/bin/env node
// Smoke test for a real Kafka broker (e.g. one started by scripts/kafka.sh).
//
//   KAFKA_BOOTSTRAP=127.0.0.1:9092 node scripts/kafka-smoke.mjs
//
// Checks, with kafkajs, the broker features kstreams relies on:
//   1. admin: create a topic (auto-creation is off on our broker)
//   2. plain produce of 3 messages and a consumer-group read of them
//   3. exactly-once plumbing: an idempotent transactional producer aborts one
//      transaction and commits another; a read_committed consumer must see
//      only the committed records
// Prints "OK ..." and exits 0, or prints the failure and exits 1.

import kafkajs from 'kafkajs'; // CommonJS package: take the default export

const { Kafka, logLevel } = kafkajs;

const bootstrap = process.env.KAFKA_BOOTSTRAP;
if (!bootstrap) {
  console.error('kafka-smoke: set KAFKA_BOOTSTRAP=host:port');
  process.exit(2);
}

// Hard deadline, so a hanging broker fails the smoke test instead of
// blocking a CI job forever.
const TIMEOUT_MS = Number(process.env.KAFKA_SMOKE_TIMEOUT_MS ?? 60_000);
const deadline = setTimeout(() => {
  console.error(`kafka-smoke: FAILED: timed out after ${TIMEOUT_MS}ms`);
  process.exit(1);
}, TIMEOUT_MS);
deadline.unref();

// kafkajs logs retriable broker errors (e.g. "group coordinator not
// available" while __consumer_offsets is being created) at ERROR level even
// though it recovers; keep the output clean unless asked. Real failures
// still surface as rejected promises below.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const verbose = Boolean(process.env.KAFKA_SMOKE_VERBOSE);

const run = `${Date.now()}-${process.pid}`;
const kafka = new Kafka({
  clientId: `kstreams-smoke-${run}`,
  brokers: bootstrap.split(','),
  logLevel: verbose ? logLevel.INFO : logLevel.NOTHING,
  retry: { retries: 8 },
});

// Phase timings, printed on the OK line: useful to see what a cold broker
// costs a first test (internal topic creation, coordinator loading).
const t0 = Date.now();
const timings = [];
const lap = (name) => timings.push(`${name}=${Date.now() - t0}ms`);

// Read from the start of `topic` until `expected` values arrived, then
// return them. Extra records would show up as a mismatch in the caller; we
// also linger briefly after reaching `expected` to catch them.
async function consumeValues(topic, expected, { readCommitted }) {
  const consumer = kafka.consumer({
    groupId: `smoke-${topic}`,
    // kafkajs default is read_committed; spell it out since it is the point.
    readUncommitted: !readCommitted,
    // disconnect() waits for the in-flight fetch long-poll; the default
    // 5s wait would dominate the smoke test's run time.
    maxWaitTimeInMs: 100,
  });
  const values = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done;
    const enough = new Promise((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value.toString());
        if (values.length >= expected) done();
      },
    });
    await enough;
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return values;
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function main() {
  const plainTopic = `smoke-plain-${run}`;
  const txTopic = `smoke-tx-${run}`;

  // 1. Admin: explicit topic creation.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: plainTopic, numPartitions: 1, replicationFactor: 1 },
        { topic: txTopic, numPartitions: 1, replicationFactor: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  lap('topics');

  // 2. Plain produce + consume.
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: plainTopic,
      messages: [
        { key: 'k', value: 'one' },
        { key: 'k', value: 'two' },
        { key: 'k', value: 'three' },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  const plain = await consumeValues(plainTopic, 3, { readCommitted: false });
  assertEqual(plain, ['one', 'two', 'three'], 'plain consume');
  lap('plain');

  // 3. Transactions. kafkajs requires idempotence and a single in-flight
  // request for a transactional producer.
  const txProducer = kafka.producer({
    transactionalId: `smoke-tx-${run}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await txProducer.connect();
  try {
    const aborted = await txProducer.transaction();
    await aborted.send({ topic: txTopic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();

    const committed = await txProducer.transaction();
    await committed.send({
      topic: txTopic,
      messages: [
        { key: 'k', value: 'tx-1' },
        { key: 'k', value: 'tx-2' },
      ],
    });
    await committed.commit();
  } finally {
    await txProducer.disconnect();
  }
  lap('tx');
  const tx = await consumeValues(txTopic, 2, { readCommitted: true });
  assertEqual(tx, ['tx-1', 'tx-2'], 'read_committed consume');
  lap('txread');

  const cluster = await describeCluster();
  console.log(`OK kafka-smoke: ${bootstrap} (${cluster}) plain=3 tx committed=2 aborted hidden`);
  console.log(`   timings: ${timings.join(' ')}`);
}

// Best-effort broker description for the OK line (controller / broker count).
async function describeCluster() {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const d = await admin.describeCluster();
    return `cluster ${d.clusterId}, ${d.brokers.length} broker(s)`;
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`kafka-smoke: FAILED: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
