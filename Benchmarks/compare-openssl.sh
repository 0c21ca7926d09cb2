#!/usr/bin/env bash
# Runs the SSA verification benchmarks and `openssl speed rsa2048` in the same run, then prints
# PS256 SSA verification throughput against OpenSSL's RSA-2048 verify rate (goal: >= 0.75x).
set -euo pipefail
cd "$(dirname "$0")"

echo "== openssl speed -seconds 5 rsa2048"
speed=$(openssl speed -seconds 5 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF)}')
echo "openssl rsa2048 verify/s: $speed"

echo "== swift package benchmark (release build; the first build takes several minutes)"
swift package --allow-writing-to-package-directory benchmark --no-progress --format markdown | tee .benchmark-output.txt

# Throughput from the p50 wall-clock time (microseconds), which the table prints unscaled.
p50_us() { awk -F'|' -v name="$1" '$0 ~ "^### " name {found=1; next} /^### / {found=0} found && /Time \(wall clock\) \(μs\)/ {gsub(/ /,"",$4); print $4; exit}' .benchmark-output.txt; }
echo
for name in "SSA verify PS256" "SSA verify ES256" "Signature only PS256" "Compact JWS parse PS256" "Policy only PS256"; do
  us=$(p50_us "$name")
  [ -n "$us" ] && awk -v n="$name" -v us="$us" 'BEGIN { printf "%-26s p50 %5d us  %8.0f ops/s\n", n, us, 1e6 / us }'
done
us=$(p50_us "SSA verify PS256")
ps256=$(awk -v us="$us" 'BEGIN { if (us > 0) printf "%.0f", 1e6 / us }')
echo "PS256 SSA verify throughput (p50): ${ps256:-unknown} ops/s; openssl rsa2048 verify: $speed /s"
if [ -n "${ps256:-}" ] && [ -n "$speed" ]; then
  awk -v a="$ps256" -v b="$speed" 'BEGIN { printf "ratio to openssl rsa2048 verify: %.2f (goal >= 0.75)\n", a / b }'
fi
