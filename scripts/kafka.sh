#!/usr/bin/env bash
# Local, single-node Apache Kafka broker for kstreams integration tests.
#
# No Docker and no apache.org download: the broker's jars come from Maven
# Central (via scripts/kafka/pom.xml) and the broker runs as a plain `java`
# process in KRaft mode (one process is both broker and controller).
#
#   scripts/kafka.sh up       start (or reuse) a broker; last stdout line is
#                             KAFKA_BOOTSTRAP=127.0.0.1:<port>
#   scripts/kafka.sh down     stop the broker and delete its data
#   scripts/kafka.sh status   say whether it runs (exit 0) or not (exit 1)
#   scripts/kafka.sh env      print KAFKA_BOOTSTRAP=... of the running broker
#
# Environment:
#   KAFKA_VERSION       Kafka release to run (default below; 4.x works too)
#   KSTREAMS_CACHE      cache root, default <repo>/.cache (git-ignored)
#   KAFKA_RUN_DIR       run folder (pid, port, logs, data),
#                       default $KSTREAMS_CACHE/kafka-run
#   KAFKA_HEAP_OPTS     JVM heap flags, default "-Xms128m -Xmx512m"
#   KAFKA_EXTRA_CONFIG  extra server.properties lines (newline separated),
#                       appended last so they override the defaults
#   KAFKA_START_TIMEOUT seconds to wait for readiness, default 90
#   KAFKA_QUORUM        auto (default) | static | dynamic: how the KRaft
#                       controller quorum is declared, see format_storage
#
# Exit codes: 0 ok, 1 failure / not running, 2 usage, 3 missing prerequisite.
#
# Progress messages go to stderr so that stdout of `up` and `env` stays
# machine-readable.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"

# Latest 3.9.x on Maven Central when this was written. 3.9 is the last line
# that still has ZooKeeper; we only use KRaft so 4.x is a drop-in.
DEFAULT_KAFKA_VERSION="3.9.2"
KAFKA_VERSION="${KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}"
KSTREAMS_CACHE="${KSTREAMS_CACHE:-$REPO/.cache}"
KAFKA_HOME="$KSTREAMS_CACHE/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
RUN_DIR="${KAFKA_RUN_DIR:-$KSTREAMS_CACHE/kafka-run}"
PID_FILE="$RUN_DIR/kafka.pid"
PORT_FILE="$RUN_DIR/kafka.port"
VERSION_FILE="$RUN_DIR/kafka.version"
DATA_DIR="$RUN_DIR/data"
LOG_DIR="$RUN_DIR/logs"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

# Kafka 4.0 moved from log4j 1 (reload4j) to log4j2 (KIP-653); this decides
# both which logging jars Maven fetches and which config file we write.
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
if [[ "$KAFKA_MAJOR" =~ ^[0-9]+$ ]] && (( KAFKA_MAJOR >= 4 )); then
  LOGGING=log4j2
else
  LOGGING=log4j1
fi

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# One clear line and exit 3 when a tool is missing, so callers (e.g. a test
# runner) can tell "cannot run Kafka here" apart from "Kafka failed".
require() {
  local cmd="$1" why="$2"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "kafka.sh: missing prerequisite: '$cmd' not found on PATH; $why" >&2
    exit 3
  fi
}

# ---------------------------------------------------------------------------
# Small helpers in python3 (checked by `up`): far quicker than starting
# another JVM, and portable where `ss`/`nc` flags differ.
# ---------------------------------------------------------------------------

# Print two distinct free TCP ports on 127.0.0.1. Both sockets are held open
# until both are chosen so the kernel cannot hand out the same port twice.
free_ports() {
  python3 - <<'PY'
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# A Kafka cluster id: 16 random bytes, base64url without padding (what
# `kafka-storage random-uuid` prints). Like Kafka's Uuid.randomUuid we avoid
# ids starting with '-', which a CLI parser would mistake for a flag.
cluster_id() {
  python3 - <<'PY'
import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
    if not s.startswith("-"):
        print(s)
        break
PY
}

# Readiness probe. A TCP connect is not enough: the socket is bound early in
# startup but requests are only served once the broker has caught up with
# the metadata log, and the broker is only usable (topic creation, group and
# transaction coordinators) once the controller has *unfenced* it. Fenced
# brokers are left out of Metadata responses, so we send a Metadata request
# and succeed only when the response lists at least one broker.
# Metadata v4 is used: v0-v3 were removed in Kafka 4.0 (KIP-896) and v4 is
# the newest non-"flexible" version, so it is easy to encode by hand; it is
# supported by every KRaft-capable broker (2.8+).
# Exit 0 ready, 1 not ready yet.
probe_ready() {
  python3 - "$1" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
def kstr(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b
try:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.settimeout(3)
        # header v1: api_key=3 (Metadata), api_version=4, correlation_id, client_id
        body = struct.pack(">hhi", 3, 4, 42) + kstr("kafka.sh-probe")
        # topics = null (all topics), allow_auto_topic_creation = false
        body += struct.pack(">i?", -1, False)
        s.sendall(struct.pack(">i", len(body)) + body)
        def read(n):
            buf = b""
            while len(buf) < n:
                chunk = s.recv(n - len(buf))
                if not chunk:
                    raise EOFError
                buf += chunk
            return buf
        size = struct.unpack(">i", read(4))[0]
        resp = read(size)
        # correlation_id(4) throttle_time_ms(4) brokers array length(4)
        corr, _throttle, nbrokers = struct.unpack(">iii", resp[:12])
        sys.exit(0 if corr == 42 and nbrokers > 0 else 1)
except Exception:
    sys.exit(1)
PY
}

# Is the pid in $PID_FILE a live process (and not a recycled pid of
# something else)? We check its command line mentions kafka.Kafka.
broker_alive() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  fi
  return 0
}

bootstrap() { echo "127.0.0.1:$(cat "$PORT_FILE")"; }

show_log_tail() {
  local f
  for f in "$LOG_DIR/server.log" "$LOG_DIR/broker.out"; do
    if [[ -s "$f" ]]; then
      log "---- last lines of $f ----"
      tail -n 40 "$f" >&2
    fi
  done
}

# ---------------------------------------------------------------------------
# Jars
# ---------------------------------------------------------------------------

# Download the broker classpath once per version. Maven writes into a temp
# folder that is renamed at the end, so an interrupted download never leaves
# a half-filled libs/ that would later be taken as complete.
fetch_jars() {
  if [[ -f "$LIBS/.complete" ]]; then
    return 0
  fi
  require mvn "needed once to download the Kafka $KAFKA_VERSION jars from Maven Central"
  log "downloading Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  mkdir -p "$KAFKA_HOME"
  local tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  # -B / style.color=never: no progress bars or colour codes; the output is
  # kept in a file and only shown when Maven fails.
  if ! mvn -B -q -Dstyle.color=never -f "$SCRIPT_DIR/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" \
      -Dkafka.version="$KAFKA_VERSION" \
      -Dkafka.logging="$LOGGING" >"$KAFKA_HOME/mvn.log" 2>&1; then
    rm -rf "$tmp"
    tail -n 30 "$KAFKA_HOME/mvn.log" >&2
    die "Maven could not fetch Kafka $KAFKA_VERSION (is that version on Maven Central?); see $KAFKA_HOME/mvn.log"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] \
    || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing in $tmp"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.complete"
}

# ---------------------------------------------------------------------------
# Config files
# ---------------------------------------------------------------------------

write_server_properties() {
  local port="$1" cport="$2" voters_mode="$3"
  {
    cat <<EOF
# Generated by scripts/kafka.sh for Kafka $KAFKA_VERSION; rewritten on every 'up'.
# Single node that is both KRaft controller and broker.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
EOF
    if [[ "$voters_mode" == static ]]; then
      # Static quorum: works on 3.x and 4.x, formatted without extra flags.
      echo "controller.quorum.voters=1@127.0.0.1:$cport"
    else
      # Dynamic quorum (KIP-853): KAFKA_QUORUM=dynamic, or the fallback for
      # a Kafka that would refuse the static form; formatted --standalone.
      echo "controller.quorum.bootstrap.servers=127.0.0.1:$cport"
    fi
    cat <<EOF
log.dirs=$DATA_DIR

# A single broker can only host replication factor 1 internal topics.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Tests want joins to complete now, not after the default 3s delay.
group.initial.rebalance.delay.ms=0
num.partitions=1
# Tests must create their topics explicitly, as in production.
auto.create.topics.enable=false
# Internal topics default to 50 partitions each; creating them is the
# slowest part of the first consumer-group join / first transaction.
# With one broker more partitions buy nothing.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
EOF
    if [[ -n "${KAFKA_EXTRA_CONFIG:-}" ]]; then
      echo
      echo "# From KAFKA_EXTRA_CONFIG"
      printf '%s\n' "$KAFKA_EXTRA_CONFIG"
    fi
  } >"$RUN_DIR/server.properties"
}

# WARN and above go to logs/server.log. The KafkaRaftServer logger stays at
# INFO: it prints a single "Kafka Server started" line, which tells at a
# glance whether a slow broker ever finished starting.
write_logging_config() {
  if [[ "$LOGGING" == log4j1 ]]; then
    cat >"$RUN_DIR/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOG_DIR/server.log
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
EOF
  else
    # shutdownHook=disable: Kafka has its own shutdown hook that still logs;
    # log4j2's hook only produced a "JVM is shutting down" warning there.
    cat >"$RUN_DIR/log4j2.properties" <<EOF
status = warn
shutdownHook = disable
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $LOG_DIR/server.log
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
EOF
  fi
}

logging_jvm_flag() {
  if [[ "$LOGGING" == log4j1 ]]; then
    echo "-Dlog4j.configuration=file:$RUN_DIR/log4j.properties"
  else
    echo "-Dlog4j2.configurationFile=$RUN_DIR/log4j2.properties"
  fi
}

# Format the KRaft metadata log (kafka-storage format).
#
# static:  controller.quorum.voters=1@host:port, formatted with only -t/-c.
#          Accepted by Kafka 3.9 and 4.x alike; the default.
# dynamic: controller.quorum.bootstrap.servers=host:port, formatted with
#          --standalone (KIP-853 dynamic quorum, what the 4.x quickstart
#          uses). --standalone exists since 3.9 and is rejected together
#          with controller.quorum.voters.
# auto:    static, and dynamic if a future Kafka refuses the static form.
format_storage() {
  local port="$1" cport="$2" mode="${KAFKA_QUORUM:-auto}" cid
  cid="$(cluster_id)"
  local java_cmd=(java -Xmx256m "$(logging_jvm_flag)" -cp "$LIBS/*" kafka.tools.StorageTool)
  : >"$LOG_DIR/format.log"
  if [[ "$mode" == static || "$mode" == auto ]]; then
    write_server_properties "$port" "$cport" static
    if "${java_cmd[@]}" format -t "$cid" -c "$RUN_DIR/server.properties" \
        >>"$LOG_DIR/format.log" 2>&1; then
      return 0
    fi
    # Only fall back when the error is about the quorum settings; any other
    # error (bad KAFKA_EXTRA_CONFIG, ...) would just fail a second time.
    if [[ "$mode" == auto ]] && grep -qi 'quorum\|standalone' "$LOG_DIR/format.log"; then
      log "format with static controller.quorum.voters failed; retrying with --standalone"
      rm -rf "$DATA_DIR"
      mkdir -p "$DATA_DIR"
      mode=dynamic
    fi
  fi
  if [[ "$mode" == dynamic ]]; then
    write_server_properties "$port" "$cport" dynamic
    if "${java_cmd[@]}" format -t "$cid" -c "$RUN_DIR/server.properties" --standalone \
        >>"$LOG_DIR/format.log" 2>&1; then
      return 0
    fi
  fi
  tail -n 15 "$LOG_DIR/format.log" >&2
  die "kafka-storage format failed (KAFKA_QUORUM=${KAFKA_QUORUM:-auto}; see $LOG_DIR/format.log)"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

# Kafka 3.9 brokers run on Java 11+, 4.x brokers need Java 17+. An old
# default `java` would otherwise fail later with an obscure
# UnsupportedClassVersionError in the broker log.
require_java_version() {
  local need=11 have major minor
  if [[ "$LOGGING" == log4j2 ]]; then need=17; fi
  # First line looks like: openjdk version "17.0.15" 2025-04-15 (or "1.8.0_x")
  have="$(java -version 2>&1 | head -n 1 | sed -E 's/.*version "([0-9]+)(\.([0-9]+))?.*/\1 \3/')"
  read -r major minor <<<"$have"
  if [[ "$major" == 1 ]]; then major="$minor"; fi
  if ! [[ "$major" =~ ^[0-9]+$ ]] || (( major < need )); then
    echo "kafka.sh: missing prerequisite: Kafka $KAFKA_VERSION needs Java $need+, but 'java' is: $(java -version 2>&1 | head -n 1)" >&2
    exit 3
  fi
}

cmd_up() {
  require java "needed to run the Kafka broker (Java 17+)"
  require python3 "used to pick free ports and to probe broker readiness"
  require_java_version

  if broker_alive; then
    local running_version
    running_version="$(cat "$VERSION_FILE" 2>/dev/null || echo '?')"
    if [[ "$running_version" != "$KAFKA_VERSION" ]]; then
      die "a Kafka $running_version broker is already running from $RUN_DIR; run 'down' first to switch to $KAFKA_VERSION"
    fi
    if probe_ready "$(cat "$PORT_FILE")"; then
      log "Kafka $KAFKA_VERSION already running (pid $(cat "$PID_FILE"))"
      echo "KAFKA_BOOTSTRAP=$(bootstrap)"
      return 0
    fi
    die "a broker process (pid $(cat "$PID_FILE")) exists but does not answer; run 'down' and retry"
  fi

  fetch_jars

  # Fresh state on every start: stale data from a previous run (or a broker
  # killed uncleanly) would otherwise leak topics between test runs.
  rm -rf "$DATA_DIR" "$PID_FILE" "$PORT_FILE" "$VERSION_FILE"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  : >"$LOG_DIR/server.log"

  local port cport
  read -r port cport < <(free_ports)
  write_logging_config
  format_storage "$port" "$cport"

  local heap="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (controller $cport)"
  # setsid puts the broker in its own session, so it is not killed with the
  # shell / test runner that started it and Ctrl-C in a terminal does not
  # reach it; 'down' is the way to stop it. `9>&-` closes the lock file
  # descriptor for the broker: otherwise the long-lived JVM would inherit
  # it and hold the lock forever, and 'down' would wait on it.
  # shellcheck disable=SC2086 # $heap is intentionally word-split
  setsid java $heap \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    "$(logging_jvm_flag)" \
    -cp "$LIBS/*" \
    kafka.Kafka "$RUN_DIR/server.properties" \
    >"$LOG_DIR/broker.out" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$port" >"$PORT_FILE"
  echo "$KAFKA_VERSION" >"$VERSION_FILE"

  local deadline=$((SECONDS + START_TIMEOUT))
  until probe_ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail
      rm -f "$PID_FILE" "$PORT_FILE" "$VERSION_FILE"
      die "the Kafka broker exited during startup"
    fi
    if (( SECONDS >= deadline )); then
      show_log_tail
      stop_pid "$pid"
      rm -f "$PID_FILE" "$PORT_FILE" "$VERSION_FILE"
      die "Kafka did not become ready within ${START_TIMEOUT}s (pid $pid killed); logs in $LOG_DIR"
    fi
    sleep 0.3
  done
  log "Kafka $KAFKA_VERSION ready (pid $pid)"
  echo "KAFKA_BOOTSTRAP=127.0.0.1:$port"
}

# SIGTERM triggers Kafka's orderly shutdown hook. In combined mode that
# takes a couple of seconds; after 30s we stop asking nicely.
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "broker (pid $pid) still alive after 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

cmd_down() {
  if broker_alive; then
    local pid
    pid="$(cat "$PID_FILE")"
    log "stopping Kafka (pid $pid)"
    stop_pid "$pid"
  else
    log "Kafka is not running"
  fi
  # Data is throw-away; logs are kept until the next 'up' for post-mortems.
  rm -rf "$DATA_DIR" "$PID_FILE" "$PORT_FILE" "$VERSION_FILE"
}

cmd_status() {
  if broker_alive && [[ -f "$PORT_FILE" ]]; then
    local ready="not ready"
    if probe_ready "$(cat "$PORT_FILE")"; then ready="ready"; fi
    echo "running ($ready) Kafka $(cat "$VERSION_FILE" 2>/dev/null || echo '?') pid $(cat "$PID_FILE") KAFKA_BOOTSTRAP=$(bootstrap)"
    return 0
  fi
  echo "not running"
  return 1
}

cmd_env() {
  if broker_alive && [[ -f "$PORT_FILE" ]]; then
    echo "KAFKA_BOOTSTRAP=$(bootstrap)"
    return 0
  fi
  log "Kafka is not running (start it with: scripts/kafka.sh up)"
  return 1
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up|down)
      mkdir -p "$RUN_DIR"
      # Serialise up/down on the same run folder (e.g. two test runners
      # starting at once) when flock is available.
      if command -v flock >/dev/null 2>&1; then
        exec 9>"$RUN_DIR/.lock"
        flock 9
      fi
      "cmd_$cmd"
      ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *)
      echo "usage: $0 up|down|status|env" >&2
      exit 2
      ;;
  esac
}

main "$@"
