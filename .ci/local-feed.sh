# Sourced by .ci/package-test and .ci/walkthrough-test, which both build apps outside the repository
# against Airlock's packages as a package user would. Set `test_name` before sourcing; it starts every
# failure line. Provides:
#   repo     the repository root
#   version  a package version no earlier run used, so no copy in the NuGet cache can stand in for the
#            packages packed here
#   scratch  a new temporary folder, removed on exit together with every package restored under $version
#   fail MESSAGE [LOG]    prints "$test_name: FAIL: MESSAGE" (and the end of LOG) and exits 1
#   pack_feed FEED        packs Sdk.sln as $version into the folder FEED; a warning fails
#   isolate_scratch       stops MSBuild importing any Directory.*.props or .targets from above $scratch

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="0.0.0-ci.$(date -u +%s).$$"
scratch="$(mktemp -d)"
global_packages="$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')"

cleanup() {
  rm -rf "$scratch"
  # The packages this run restored exist under this version only: leave the NuGet cache as it was.
  for id in airlock.host airlock.host.opentelemetry airlock.host.postgresql airlock.contracts airlock.generators airlock.dashboard airlock.cli; do
    rm -rf "${global_packages:?}/$id/$version"
    rmdir "$global_packages/$id" 2>/dev/null || true
  done
}
trap cleanup EXIT

fail() {
  echo "$test_name: FAIL: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "---- last lines of $(basename "$2")" >&2
    tail -n 40 "$2" >&2
  fi
  exit 1
}

pack_feed() {
  echo "== packing Sdk.sln as $version into $1"
  dotnet pack "$repo/Sdk.sln" -c Release -o "$1" -p:Version="$version" >"$scratch/pack.log" 2>&1 \
    || fail "dotnet pack failed" "$scratch/pack.log"
  if grep -E ': warning [A-Z]+[0-9]+' "$scratch/pack.log"; then fail "dotnet pack reported warnings" "$scratch/pack.log"; fi
  for package in Airlock.Contracts Airlock.Host Airlock.Host.PostgreSql Airlock.Generators Airlock.Dashboard Airlock.Host.OpenTelemetry; do
    [ -f "$1/$package.$version.nupkg" ] || fail "no $package.$version.nupkg in the feed ($(ls "$1" | tr '\n' ' '))"
  done
}

isolate_scratch() {
  for file in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    echo '<Project><!-- Stops MSBuild looking further up: the app sees only its own project. --></Project>' >"$scratch/$file"
  done
}
