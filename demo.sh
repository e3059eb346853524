#!/usr/bin/env bash
# Builds vantage and runs the demo (README: "The demo"): an aggregator, three agents (one per "region") and three
# breakable endpoints in one process, CloudWatch in dry-run. Ctrl-C stops it.
#   VANTAGE_DEMO_PORT  the page's port on 127.0.0.1 (default 8080)
# Maven runs only when a main source or pom of the modules the demo is built from is newer than the demo's jar, and then
# builds only those modules, without the agent's AOT cache (the in-process demo does not use the agent's launcher).
set -euo pipefail
cd "$(dirname "$0")"
jar=demo/target/vantage-demo.jar
modules=(wire runtime test-support agent aggregator demo)
changed=
if [ ! -f "$jar" ]; then
  changed="no demo jar yet"
else
  # Tests are not in the jar: a changed test needs no build.
  newer=$(find pom.xml "${modules[@]}" \( -path '*/target' -o -path '*/src/test' \) -prune -o -type f -newer "$jar" -print -quit)
  if [ -n "$newer" ]; then
    changed="$newer changed"
  fi
fi
if [ -n "$changed" ]; then
  if [ -f "$jar" ]; then
    echo "building vantage ($changed; about a minute) ..."
  else
    echo "building vantage (first run: a few minutes, more while Maven downloads what it needs) ..."
  fi
  started=$SECONDS
  # No AOT training (it also deletes the agent's cache, so agent/target/vantage-agent never meets a cache made for
  # another jar), no format check (./mvnw spotless:apply formats; the build checks it).
  ./mvnw -B -q -DskipTests -Dvantage.aot.skip=true -Dspotless.check.skip=true -pl demo -am package
  touch "$jar" # a rebuilt jar whose content did not change keeps its time; the next run must not build again
  echo "built in $((SECONDS - started)) s"
fi
exec java -jar "$jar" --port "${VANTAGE_DEMO_PORT:-8080}"
