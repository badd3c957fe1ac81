#!/usr/bin/env bash
# Stop the local Kafka started by scripts/kafka-start.sh: SIGTERM (clean
# shutdown, so the next start needs no log recovery), up to
# KAFKA_STOP_TIMEOUT (20) seconds, then SIGKILL. Exits 0 if nothing was running.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
DATA_DIR="$ROOT/.data/kafka"
PROPS="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
TIMEOUT=${KAFKA_STOP_TIMEOUT:-20}

log() { echo "kafka-stop: $*"; }

# Only processes running kafka.Kafka with *this repo's* rendered config count,
# so a reused pid or another checkout's broker is never touched.
is_our_kafka() {
  local cmdline
  [[ -r "/proc/$1/cmdline" ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *" kafka.Kafka $PROPS"* ]]
}

pids=()
if [[ -f "$PID_FILE" ]]; then
  pid=$(<"$PID_FILE")
  if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_kafka "$pid"; then pids+=("$pid"); fi
fi
# Strays: brokers from this repo whose pid file was lost or overwritten.
for pid in $(pgrep -f 'kafka\.Kafka' || true); do
  if is_our_kafka "$pid" && [[ " ${pids[*]} " != *" $pid "* ]]; then pids+=("$pid"); fi
done

if ((${#pids[@]} == 0)); then
  log "Kafka is not running"
  rm -f "$PID_FILE"
  exit 0
fi

log "stopping Kafka (pid ${pids[*]}) ..."
kill -TERM "${pids[@]}" 2>/dev/null || true
deadline=$(($(date +%s) + TIMEOUT))
for pid in "${pids[@]}"; do
  # is_our_kafka rather than kill -0: an exited but unreaped (zombie) JVM has
  # an empty cmdline and must count as gone.
  while is_our_kafka "$pid" && (($(date +%s) < deadline)); do sleep 0.2; done
  if is_our_kafka "$pid"; then
    log "pid $pid still alive after ${TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_our_kafka "$pid"; do sleep 0.1; done
  fi
done
rm -f "$PID_FILE"
log "stopped"
