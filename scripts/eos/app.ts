/**
 * One instance of the EOS test's application (Kafka's EosTestClient) in its own process:
 * the topology of ./topology.ts on KafkaStreams with RocksDB stores, no record cache and
 * a long commit interval, so that a SIGKILL lands inside open transactions (or, at least
 * once, between commits with uncommitted output and state).
 *
 *   tsx scripts/eos/app.ts --bootstrap host:port --application-id eos-x --topic-prefix eos-x
 *       --state-dir /tmp/eos/state-1 [--guarantee exactly_once_v2|at_least_once]
 *       [--commit-interval-ms 5000] [--name A]
 *
 * Options fall back to KAFKA_BOOTSTRAP, EOS_APPLICATION_ID, EOS_TOPIC_PREFIX, EOS_STATE_DIR,
 * EOS_GUARANTEE, EOS_COMMIT_INTERVAL_MS, EOS_INSTANCE.
 *
 * Output (stdout), parsed by the harness:
 *   StateChange: <old> -> <new>       every client state change
 *   processed <n> records             every 5 s while it processes
 *   EOS-APP-EXCEPTION <message>       a stream thread died (the client then shuts down)
 *   EOS-APP-CLOSED                    after a clean close on SIGTERM / SIGINT (exit 0)
 * Exit codes: 0 closed cleanly, 2 close timed out, 3 the client ended in ERROR, 1 start failed.
 */
import { KafkaStreams, KafkaStreamsState, StreamThreadExceptionResponse } from '../../src/index.js';
import { guarantee, int, options, topicNames } from './common.js';
import { eosTopology } from './topology.js';

const opt = options({
  bootstrap: { env: 'KAFKA_BOOTSTRAP' },
  'application-id': { env: 'EOS_APPLICATION_ID' },
  'topic-prefix': { env: 'EOS_TOPIC_PREFIX' },
  'state-dir': { env: 'EOS_STATE_DIR' },
  guarantee: { env: 'EOS_GUARANTEE', default: 'exactly_once_v2' },
  'commit-interval-ms': { env: 'EOS_COMMIT_INTERVAL_MS', default: '5000' },
  name: { env: 'EOS_INSTANCE', default: String(process.pid) },
});

const log = (line: string): void => {
  console.log(`${new Date().toISOString()} [${opt.name}] ${line}`);
};

let processed = 0;
let streams: KafkaStreams;
try {
  streams = new KafkaStreams(
    eosTopology(topicNames(opt['topic-prefix']), () => processed++),
    {
      applicationId: opt['application-id'],
      bootstrapServers: opt.bootstrap,
      processingGuarantee: guarantee(opt.guarantee),
      // several seconds, as Kafka's EOS test (5000): kills land inside open transactions
      commitIntervalMs: int('commit-interval-ms', opt['commit-interval-ms']),
      stateDir: opt['state-dir'],
      defaultDslStore: 'rocks_db',
      // every update is forwarded: one output record per input record
      cacheMaxBytes: 0,
      replicationFactor: 1,
      // the broker's minimum: a killed instance's tasks move after about this long
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 20_000,
      // the harness reads nothing from the repartition topic, but keep its records for post-mortems
      repartitionPurgeIntervalMs: 24 * 3_600_000,
      clientId: `eos-${opt.name}`,
      kafkaClient: { logLevel: 'error' },
    },
  );
} catch (e) {
  // e.g. a guarantee the runtime refuses at construction
  log(`EOS-APP-START-FAILED ${(e as Error).message}`);
  process.exit(1);
}

streams.setStateListener((now, before) => {
  log(`StateChange: ${before} -> ${now}`);
  if (now === KafkaStreamsState.ERROR) {
    log('EOS-APP-ERROR the client ended in ERROR');
    process.exit(3);
  }
});
streams.setUncaughtExceptionHandler((e) => {
  log(`EOS-APP-EXCEPTION ${e.name}: ${e.message}`);
  console.error(e);
  return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
});

let reported = 0;
const progress = setInterval(() => {
  if (processed !== reported) {
    log(`processed ${processed} records`);
    reported = processed;
  }
}, 5_000);

let closing = false;
const close = (signal: string): void => {
  if (closing) return;
  closing = true;
  log(`${signal}: closing`);
  clearInterval(progress);
  void streams.close({ timeoutMs: 60_000 }).then((ok) => {
    log(ok ? 'EOS-APP-CLOSED' : 'EOS-APP-CLOSE-TIMEOUT');
    process.exit(ok ? 0 : 2);
  });
};
process.on('SIGTERM', () => close('SIGTERM'));
process.on('SIGINT', () => close('SIGINT'));

log(`starting: ${opt.guarantee}, application ${opt['application-id']}, state ${opt['state-dir']}, pid ${process.pid}`);
streams.start().catch((e: unknown) => {
  log(`EOS-APP-START-FAILED ${(e as Error).message}`);
  console.error(e);
  process.exit(1);
});
