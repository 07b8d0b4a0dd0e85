# Sourced by the benchmarks that measure a running server (agents, console, inventory): unpacks the built
# distribution into a folder on free loopback ports, starts `bin/karaf server` in a session of its own (so it and
# everything it started stop together by process group), waits for REST, and stops it again.
# After bench_server_start: BENCH_HOME, BENCH_HTTP, BENCH_SSH, BENCH_LINK (agent link port), BENCH_API, BENCH_PASSWORD.

BENCH_PASSWORD="bench password 123"
bench_server_pgid=""

bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench_server_start TOP WORK: the distribution built under TOP, unpacked into WORK/server.
bench_server_start() {
  local top=$1 work=$2 dist
  dist=$(ls "$top"/karaf-assembly/target/opendpm-karaf-*.tar.gz 2>/dev/null | head -1)
  [ -n "$dist" ] || { echo "no distribution: run 'mvn install -DskipTests' first" >&2; return 1; }
  BENCH_HOME="$work/server"
  mkdir -p "$BENCH_HOME" && tar -xzf "$dist" -C "$BENCH_HOME" --strip-components=1
  BENCH_HTTP=$(bench_free_port); BENCH_SSH=$(bench_free_port); BENCH_LINK=$(bench_free_port)
  sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $BENCH_HTTP/" "$BENCH_HOME/etc/org.ops4j.pax.web.cfg"
  sed -i "s/^sshPort *=.*/sshPort = $BENCH_SSH/" "$BENCH_HOME/etc/org.apache.karaf.shell.cfg"
  sed -i "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(bench_free_port)/; s/^rmiServerPort *=.*/rmiServerPort = $(bench_free_port)/" \
    "$BENCH_HOME/etc/org.apache.karaf.management.cfg"
  # Every simulated agent comes from 127.0.0.1, so the per-address connection limit is raised for the run.
  cat > "$BENCH_HOME/etc/org.opendpm.transfer.cfg" <<CFG
address = 127.0.0.1
port = $BENCH_LINK
discoveryPort = 0
maxConnectionsPerSecondPerAddress = 2000
maxConnectionsPerSecond = 2000
CFG
  OPENDPM_ADMIN_PASSWORD="$BENCH_PASSWORD" setsid "$BENCH_HOME/bin/karaf" server > "$BENCH_HOME/console.log" 2>&1 &
  bench_server_pgid=$!
  BENCH_API="http://127.0.0.1:$BENCH_HTTP/opendpm/api/v1"
  local _
  for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$BENCH_PASSWORD" "$BENCH_API/executions")" = 200 ] && return 0
    sleep 0.5
  done
  echo "no REST after 120 s; see $BENCH_HOME/data/log/karaf.log" >&2
  return 1
}

# bench_install_feature NAME: through the server's SSH shell, retried while the shell is still starting.
bench_install_feature() {
  local _
  for _ in $(seq 1 30); do
    echo "feature:install $1" | "$BENCH_HOME/bin/client" -h 127.0.0.1 -a "$BENCH_SSH" -u admin -p "$BENCH_PASSWORD" -b \
      > /dev/null 2>&1 && return 0
    sleep 1
  done
  echo "feature:install $1 failed; see $BENCH_HOME/data/log/karaf.log" >&2
  return 1
}

bench_server_stop() {
  [ -n "$bench_server_pgid" ] || return 0
  kill -TERM -- "-$bench_server_pgid" 2>/dev/null || true
  local _
  for _ in $(seq 1 100); do kill -0 -- "-$bench_server_pgid" 2>/dev/null || break; sleep 0.2; done
  bench_server_pgid=""
}
