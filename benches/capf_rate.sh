#!/usr/bin/env bash
# Enrolments per second on loopback: the release capf_server with N
# devices scheduled (no authentication), enrolled by N capf_client
# processes, P at a time. Each enrolment is a new process: TLS handshake,
# key generation on the client, issuance and an SQLite transaction on the
# server.
#
# usage: N=64 P=8 KEY=2048|1024|P-256 bash benches/capf_rate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p cisco-itl --features capf-net --example capf_server --example capf_client
bin=${CARGO_TARGET_DIR:-target}/release/examples
keys=itl-core/tests/data/vectors/keys
N=${N:-64}; P=${P:-8}; KEY=${KEY:-2048}
if [ "$KEY" = P-256 ]; then key=(--curve P-256); else key=(--key-size "$KEY"); fi
dir=$(mktemp -d); port=$((20000 + RANDOM % 20000))
names=(); args=()
for i in $(seq 1 "$N"); do
  name=$(printf 'SEP%012X' "$i"); names+=("$name"); args+=(--install "$name" "${key[@]}")
done
"$bin/capf_server" --port "$port" --identity "$keys/tvs-sub1.pem" --issuer "$keys/capf.pem" \
  --db "$dir/capf.sqlite" "${args[@]}" 2> "$dir/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do grep -q serving "$dir/server.log" && break; sleep 0.1; done
start=$(date +%s.%N)
printf '%s\n' "${names[@]}" | xargs -P "$P" -I{} timeout 60 "$bin/capf_client" --host 127.0.0.1 \
  --port "$port" --capf-cert "$keys/tvs-sub1.pem" --out "$dir/{}.pem" {} > "$dir/out" || true
end=$(date +%s.%N)
ok=$(grep -c installed "$dir/out" || true)
awk -v ok="$ok" -v n="$N" -v s="$start" -v e="$end" -v k="$KEY" -v p="$P" \
  'BEGIN { printf "%d/%d installed in %.1f s: %.1f enrolments/s (key %s, %d at a time)\n", ok, n, e - s, ok / (e - s), k, p }'
