#!/usr/bin/env bash
# Reference point for the verification benchmarks: how long one RSA
# PKCS#1 v1.5 verification takes in OpenSSL on this machine, for the key
# sizes the benchmarks use. Prints OpenSSL's verify/s and the time per
# verification in microseconds; compare with `parts/rsa_verify_sha256/BITS`
# (RSA alone) and `verify/DIGEST/BITS` (hash + key decoding + RSA) of
# `cargo bench -p cisco-itl-bench --bench verify`.
#
# usage: bash benches/openssl_reference.sh [SECONDS]   (default 3)
# Run it when nothing else is busy: it uses one core for ~SECONDS x 6.
set -euo pipefail
seconds=${1:-3}
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 1; }
echo "# $(openssl version)"
echo "# openssl speed -seconds $seconds rsa1024 rsa2048 rsa4096"
out=$(openssl speed -seconds "$seconds" rsa1024 rsa2048 rsa4096 2>/dev/null)
# The table has a header line naming the columns (…, verify/s, …) and one
# line per key size: "rsa 2048 bits <sign s> <verify s> … <sign/s> <verify/s> …".
printf '%s\n' "$out" | awk '
  /verify\/s/ { for (i = 1; i <= NF; i++) if ($i == "verify/s") col = i + 3; next }
  /^rsa +[0-9]+ +bits/ && col {
    rate = $col
    printf "rsa%-5s verify/s %12.1f   %8.2f us per verification\n", $2, rate, 1e6 / rate
  }'
