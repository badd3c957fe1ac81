#!/usr/bin/env bash
# Run a local Zipkin server (traces UI and API) without Docker, in the foreground:
#
#   bash scripts/zipkin.sh            # http://127.0.0.1:9411; Ctrl-C stops it
#   bash scripts/zipkin.sh --fetch    # only fetch the jar (CI, before the e2e suite)
#
# Then start the OMS with TRACING_ZIPKIN_URL=http://127.0.0.1:9411 and open the UI.
# The server is Zipkin's own executable jar from Maven Central (io.zipkin:zipkin-server,
# classifier exec), cached in .cache/zipkin; it keeps traces in memory only.
#
# Environment: ZIPKIN_PORT (9411)  ZIPKIN_VERSION (3.5.1)  ZIPKIN_HEAP (-Xmx512m)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
VERSION=${ZIPKIN_VERSION:-3.5.1}
PORT=${ZIPKIN_PORT:-9411}
CACHE="$ROOT/.cache/zipkin"
JAR="$CACHE/zipkin-server-$VERSION-exec.jar"

fetch_only=0
for arg in "$@"; do
  case "$arg" in
    --fetch) fetch_only=1 ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "zipkin: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$JAR" ]]; then
  command -v mvn >/dev/null || { echo "zipkin: mvn not found (needed once to fetch the jar)" >&2; exit 1; }
  echo "zipkin: fetching io.zipkin:zipkin-server:$VERSION (exec jar) from Maven Central into $CACHE ..."
  mkdir -p "$CACHE"
  # Into a temporary name first: an interrupted download never looks like a complete jar.
  if ! mvn -q -B dependency:copy -Dartifact="io.zipkin:zipkin-server:$VERSION:jar:exec" \
    -DoutputDirectory="$CACHE/tmp.$$" >"$CACHE/mvn.log" 2>&1; then
    cat "$CACHE/mvn.log" >&2
    rm -rf "$CACHE/tmp.$$"
    echo "zipkin: fetching the jar with Maven failed (see above)" >&2
    exit 1
  fi
  mv "$CACHE/tmp.$$/zipkin-server-$VERSION-exec.jar" "$JAR"
  rm -rf "$CACHE/tmp.$$"
fi
[[ "$fetch_only" == 1 ]] && { echo "zipkin: $JAR"; exit 0; }

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
command -v "$JAVA" >/dev/null || { echo "zipkin: $JAVA not found (Zipkin 3 needs Java 17+)" >&2; exit 1; }
echo "zipkin: UI and API on http://127.0.0.1:$PORT (in-memory storage; Ctrl-C stops it)"
# shellcheck disable=SC2086
exec "$JAVA" ${ZIPKIN_HEAP:--Xmx512m} -jar "$JAR" --server.port="$PORT" --server.address=127.0.0.1
