#!/usr/bin/env bash
# Start a local single-node Apache Kafka (KRaft, broker+controller) without
# Docker and wait until it accepts clients.
#
#   bash scripts/kafka-start.sh [--fresh]
#
# No Kafka distribution can be downloaded here, so the broker runs from the
# Maven Central jars (scripts/kafka/pom.xml), cached in .cache/kafka/lib.
# Data, rendered config, pid and server.log live in .data/kafka.
#
# Environment:
#   KAFKA_PORT (9092)  KAFKA_CONTROLLER_PORT (9093)  KAFKA_AUTO_CREATE_TOPICS (false)
#   KAFKA_HEAP_OPTS (-Xms256m -Xmx768m)  KAFKA_START_TIMEOUT (90 s)  KAFKA_FRESH=1 (= --fresh)
set -euo pipefail

started_at=$(date +%s%N)

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
CONF_SRC="$SCRIPT_DIR/kafka"
LIB_DIR="$ROOT/.cache/kafka/lib"
DATA_DIR="$ROOT/.data/kafka"
LOG_DIR="$DATA_DIR/kraft-logs"
PROPS="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
SERVER_LOG="$DATA_DIR/server.log"

PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
AUTO_CREATE=${KAFKA_AUTO_CREATE_TOPICS:-false}
TIMEOUT=${KAFKA_START_TIMEOUT:-90}
FRESH=${KAFKA_FRESH:-0}

for arg in "$@"; do
  case "$arg" in
    --fresh) FRESH=1 ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kafka-start: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "kafka-start: $*"; }

elapsed() {
  local ms=$((($(date +%s%N) - started_at) / 1000000))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# Is $1 a live process that is *our* broker (kafka.Kafka with our config)?
# Guards against a stale pid file whose pid was reused by something else.
is_our_kafka() {
  local cmdline
  [[ -r "/proc/$1/cmdline" ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *" kafka.Kafka $PROPS"* ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# Ready = the broker finished start-up in this run (it logs this only once it is
# unfenced and serving) and its client port takes connections.
is_ready() {
  grep -q 'Kafka Server started' "$SERVER_LOG" 2>/dev/null && port_open
}

# Poll until ready; on death or timeout show the log tail and fail.
wait_until_ready() {
  local pid=$1 deadline=$(($(date +%s) + TIMEOUT))
  until is_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka-start: Kafka (pid $pid) exited during start-up. Last 50 lines of $SERVER_LOG:" >&2
      tail -n 50 "$SERVER_LOG" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if (($(date +%s) >= deadline)); then
      echo "kafka-start: Kafka (pid $pid) not ready after ${TIMEOUT}s. Last 50 lines of $SERVER_LOG:" >&2
      tail -n 50 "$SERVER_LOG" >&2 || true
      echo "kafka-start: it is left running; stop it with scripts/kafka-stop.sh" >&2
      exit 1
    fi
    sleep 0.25
  done
}

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
command -v "$JAVA" >/dev/null || { echo "kafka-start: $JAVA not found (Kafka 4 needs Java 17+)" >&2; exit 1; }

# Serialize concurrent starts (e.g. parallel test scripts): the second one
# waits here and then finds the broker already running. The lock lives in
# .cache because --fresh deletes .data/kafka.
mkdir -p "$ROOT/.cache/kafka"
exec 9>"$ROOT/.cache/kafka/start.lock"
flock -w "$TIMEOUT" 9 || { echo "kafka-start: another kafka-start.sh holds the lock for ${TIMEOUT}s" >&2; exit 1; }

if [[ "$FRESH" == 1 ]]; then
  log "--fresh: stopping any running broker and wiping $DATA_DIR"
  bash "$SCRIPT_DIR/kafka-stop.sh"
  rm -rf "$DATA_DIR"
fi

# Already running? (Also covers a start that is still booting.) The pid file
# may be stale (pid reused or broker gone) or lost, so also look for a broker
# running with this repo's config and adopt it.
running_pid=""
if [[ -f "$PID_FILE" ]]; then
  pid=$(<"$PID_FILE")
  if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_kafka "$pid"; then
    running_pid=$pid
  else
    log "removing stale pid file (pid $pid is not running Kafka)"
    rm -f "$PID_FILE"
  fi
fi
if [[ -z "$running_pid" ]]; then
  for pid in $(pgrep -f 'kafka\.Kafka' || true); do
    if is_our_kafka "$pid"; then running_pid=$pid; echo "$pid" >"$PID_FILE"; break; fi
  done
fi
if [[ -n "$running_pid" ]]; then
  # Report the port it really listens on (from the config it was started with).
  running_port=$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$PROPS")
  if [[ -n "$running_port" && "$running_port" != "$PORT" ]]; then
    log "note: the running broker listens on $running_port, not KAFKA_PORT=$PORT (use --fresh or kafka-stop.sh to change)"
    PORT=$running_port
  fi
  wait_until_ready "$running_pid"
  log "already running (pid $running_pid) on 127.0.0.1:$PORT; log: $SERVER_LOG"
  exit 0
fi

if port_open; then
  echo "kafka-start: 127.0.0.1:$PORT is already in use by another process (not started from $DATA_DIR)." >&2
  echo "kafka-start: stop it, or pick another port with KAFKA_PORT / KAFKA_CONTROLLER_PORT." >&2
  exit 1
fi

# 1. Jars. The marker records the pom's checksum, so editing the pom (e.g. the
#    Kafka version) re-resolves. Resolve into a temp dir so that an interrupted
#    download never leaves a half-filled lib dir that looks complete.
pom_sum=$(sha256sum "$CONF_SRC/pom.xml" | cut -d' ' -f1)
marker="$LIB_DIR/.complete"
if [[ ! -f "$marker" || "$(<"$marker")" != "$pom_sum" ]]; then
  log "resolving Kafka jars from Maven Central into $LIB_DIR (once; ~30 s on an empty Maven repo) ..."
  command -v mvn >/dev/null || { echo "kafka-start: mvn not found (needed once to fetch the jars)" >&2; exit 1; }
  tmp_lib="$LIB_DIR.tmp.$$"
  rm -rf "$tmp_lib"
  mkdir -p "$(dirname "$LIB_DIR")"
  # Maven's output (even -q prints stray ANSI codes) is shown only on failure.
  if ! mvn -q -B -f "$CONF_SRC/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp_lib" \
    >"$LIB_DIR.mvn.log" 2>&1; then
    cat "$LIB_DIR.mvn.log" >&2
    echo "kafka-start: resolving the Kafka jars with Maven failed (see above)" >&2
    rm -rf "$tmp_lib"
    exit 1
  fi
  echo "$pom_sum" >"$tmp_lib/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp_lib" "$LIB_DIR"
fi
# Quoted on purpose: the JVM itself expands the trailing '*' to all jars.
CP="$LIB_DIR/*"
LOG4J_OPT="-Dlog4j2.configurationFile=$CONF_SRC/log4j2.xml"

# 2. Config: rendered on every start so port/env changes take effect.
mkdir -p "$LOG_DIR"
sed -e "s|@PORT@|$PORT|g" \
  -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
  -e "s|@AUTO_CREATE_TOPICS@|$AUTO_CREATE|g" \
  -e "s|@LOG_DIR@|$LOG_DIR|g" \
  "$CONF_SRC/server.properties" >"$PROPS"

# 3. Format KRaft storage once, with a random cluster id. A Kafka Uuid is 16
#    random bytes in URL-safe base64 without padding; one starting with '-'
#    would be read as a CLI flag, so draw again.
if [[ ! -f "$LOG_DIR/meta.properties" ]]; then
  cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  log "formatting KRaft storage in $LOG_DIR (cluster id $cluster_id)"
  "$JAVA" -cp "$CP" "$LOG4J_OPT" kafka.tools.StorageTool format --config "$PROPS" --cluster-id "$cluster_id" --ignore-formatted \
    >"$DATA_DIR/format.log" 2>&1 || {
    echo "kafka-start: formatting failed:" >&2
    cat "$DATA_DIR/format.log" >&2
    exit 1
  }
fi

# 4. Launch in the background. setsid puts the JVM in its own session, so it
#    survives the calling shell/npm and gets no SIGHUP or Ctrl-C from a terminal.
#    The inner shell writes its own pid and then execs java, so the pid file
#    holds the JVM's pid. The previous run's log is kept as server.log.prev and
#    the new log starts empty (the readiness check greps it). 9>&-: the broker
#    must not inherit (and so hold) the start lock.
if [[ -f "$SERVER_LOG" ]]; then mv -f "$SERVER_LOG" "$SERVER_LOG.prev"; fi
read -r -a heap_opts <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
# shellcheck disable=SC2016 # $$ and $@ are for the inner shell
setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
  "$JAVA" "${heap_opts[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -cp "$CP" "$LOG4J_OPT" kafka.Kafka "$PROPS" \
  </dev/null >>"$SERVER_LOG" 2>&1 9>&- &

# Wait for the pid file written by the inner shell.
for _ in $(seq 1 40); do [[ -s "$PID_FILE" ]] && break; sleep 0.05; done
[[ -s "$PID_FILE" ]] || { echo "kafka-start: the launcher did not write $PID_FILE; see $SERVER_LOG" >&2; exit 1; }
pid=$(<"$PID_FILE")
log "started Kafka (pid $pid), waiting up to ${TIMEOUT}s for 127.0.0.1:$PORT ..."
wait_until_ready "$pid"
log "Kafka is ready on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT) after $(elapsed)s; log: $SERVER_LOG"
