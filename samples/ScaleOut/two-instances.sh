#!/usr/bin/env bash
# Two instances of an Airlock host sharing one PostgreSQL database (docs/scale-out.md). Starts a throwaway
# PostgreSQL from the Debian packages (apt-get install postgresql) on 127.0.0.1, runs two host processes
# (tests/Fixtures/Airlock.PostgreSql.FleetNode: AddAirlock with options.UsePostgreSql(...)) against it and shows
# the fleet-wide rate limit, an approval given through one instance honoured by the other, and a revocation
# through one stopping the other. Removes everything it started when it ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort | tail -n1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL's server binaries are not installed: apt-get install postgresql" >&2
  exit 2
fi

run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
[ "$(id -u)" = 0 ] && chown postgres "$work"
cleanup() {
  exec 3>&- 4>&- 2>/dev/null || true
  "${run_as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a throwaway PostgreSQL on 127.0.0.1:$port"
"${run_as[@]}" "$bin/initdb" -D "$work/data" -U airlock --auth=trust -E UTF8 --locale=C >/dev/null
"${run_as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $work" start >/dev/null
db="Host=127.0.0.1;Port=$port;Username=airlock;Database=postgres"

echo "== building the host"
dotnet build -c Release tests/Fixtures/Airlock.PostgreSql.FleetNode -v quiet -nologo >/dev/null
node="tests/Fixtures/Airlock.PostgreSql.FleetNode/bin/Release/net10.0/Airlock.PostgreSql.FleetNode.dll"
manifest="samples/plugins/chirp-c/plugin.json"

# Each instance reads commands from a pipe and answers a line per command.
mkfifo "$work/a.in" "$work/b.in"
dotnet "$node" "$db" airlock a approve <"$work/a.in" >"$work/a.out" 2>&1 &
dotnet "$node" "$db" airlock b deny <"$work/b.in" >"$work/b.out" 2>&1 &
exec 3>"$work/a.in" 4>"$work/b.in"
ask() { # ask <instance> <command>: prints the instance's answer
  local fd=3; [ "$1" = b ] && fd=4
  local before; before=$(wc -l <"$work/$1.out")
  echo "$2" >&$fd
  while [ "$(wc -l <"$work/$1.out")" -le "$before" ]; do sleep 0.02; done
  printf '%-10s %-44s -> %s\n' "instance $1" "$2" "$(tail -n1 "$work/$1.out")"
}
until grep -q ready "$work/a.out" && grep -q ready "$work/b.out"; do sleep 0.1; done

echo "== one limit for the fleet: 1,000 requests an hour, both instances asking for 700 at once"
ask a "acquire com.airlock.samples.chirp-c 700" & first=$!
ask b "acquire com.airlock.samples.chirp-c 700" & second=$!
wait "$first" "$second"

echo "== an approval given through one instance is honoured by the other (which approves nothing itself)"
ask b "approve $manifest"
ask a "approve $manifest"
ask b "approve $manifest"
until [ "$(ask b listening | awk '{print $NF}')" = yes ]; do sleep 0.05; done
ask b "inforce"

echo "== a revocation through one instance stops the other"
ask a "revoke com.airlock.samples.chirp-c"
sleep 0.2
ask b "inforce"

echo "== both write the shared key-value store and audit trail"
ask a "kv com.airlock.samples.chirp-c from-a 1"
ask b "kv com.airlock.samples.chirp-c from-b 2"
ask a "keys com.airlock.samples.chirp-c"
ask a "quit" >/dev/null; ask b "quit" >/dev/null
wait
