#!/usr/bin/env bash
# Regenerates the guest bindings the sample plugins are built on, from the contracts in src/Contracts, with the
# repository's own `airlock bindings` (src/Cli). The bindings are committed: each build.sh compiles the copy beside
# it and never runs this script, so a sample builds with clang or cargo alone. tests/Airlock.Cli.Tests
# (SampleBindingsTests) regenerates every copy and fails, naming this script, when one is stale.
#
#   samples/plugins/generate-bindings.sh            # from anywhere in the checkout
#   AIRLOCK="airlock" samples/plugins/generate-bindings.sh   # with an installed airlock instead of dotnet run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$root"

# samuel-hello-c's contract is its own (samples/plugins/samuel-hello-c/contract), built here either way.
dotnet build samples/plugins/samuel-hello-c/contract --nologo -v q -clp:ErrorsOnly
hello_contract="$(ls -d samples/plugins/samuel-hello-c/contract/bin/Debug/net*/ | head -n 1)SamuelHello.Contract.dll"
if [ -z "${AIRLOCK:-}" ]; then
  dotnet build src/Cli --nologo -v q -clp:ErrorsOnly
  config="$(ls -d src/Cli/bin/Debug/net*/ | head -n 1)"
  AIRLOCK="dotnet ${config}Airlock.Cli.dll"
  contracts="${config}Airlock.Contracts.dll"
else
  contracts="${CONTRACTS_DLL:?set CONTRACTS_DLL to Airlock.Contracts.dll when AIRLOCK is set}"
fi

# The commands, one per committed copy (SampleBindingsTests runs the same ones):
$AIRLOCK bindings --profile socialscale --lang c --out samples/plugins/chirp-c/bindings
$AIRLOCK bindings --profile lesstruct --lang c --out samples/plugins/lesstruct-enrich-c/bindings
$AIRLOCK bindings --profile samuel --lang rust --out samples/plugins/samuel-lint-rust/src
$AIRLOCK bindings --contract Airlock.Contracts.Driftless.IDriftlessPackedPlugin --assembly "$contracts" --lang c --out samples/plugins/driftless-c/bindings
$AIRLOCK bindings --contract Samples.SamuelHello.ISamuelHello --assembly "$hello_contract" --lang c --out samples/plugins/samuel-hello-c/bindings
