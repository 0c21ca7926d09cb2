#!/usr/bin/env bash
# Runs `openssl speed rsa2048` and the SSAVerification benchmark suite in one go, then prints the
# suite's figures and PS256 SSA verification throughput against OpenSSL's RSA-2048 verify rate
# (goal: >= 0.75x). Run from anywhere; `make bench` at the repository root runs it.
#
# Environment:
#   OPENSSL_SECONDS   seconds per `openssl speed` test (default 3)
#   BENCH_FILTER      regex passed to `--filter` (default: the whole SSAVerification suite)
#   BENCH_REQUIRE_GOAL=1  exit 1 when the PS256 ratio is below the goal (default: report only)
#
# Throughput is taken from the benchmark's JMH export (machine-readable JSON with every sample),
# not scraped from the table: ops/s = 1e6 / mean wall-clock microseconds, i.e. operations
# completed per second of running, which is what `openssl speed` reports. The p50-based figure is
# printed too.
set -euo pipefail
cd "$(dirname "$0")"

GOAL=0.75
OPENSSL_SECONDS=${OPENSSL_SECONDS:-3}
PS256_NAME="SSA verify PS256 (warm JWKS)"

for tool in openssl swift python3; do
  command -v "$tool" >/dev/null || { echo "compare-openssl.sh: '$tool' is required (Debian: apt-get install $tool)" >&2; exit 2; }
done

export_dir=$(mktemp -d)
trap 'rm -rf "$export_dir"' EXIT

echo "== openssl speed -seconds $OPENSSL_SECONDS rsa2048 ($(openssl version))"
speed_out=$(openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 2>/dev/null)
# Line: "rsa 2048 bits 0.000283s 0.000018s   3539.0  56584.0" -> the last column is verify/s.
openssl_verify=$(awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { print $NF }' <<<"$speed_out")
if ! [[ "$openssl_verify" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "could not read verify/s from openssl speed output:" >&2
  echo "$speed_out" >&2
  exit 1
fi
echo "openssl rsa2048 verify/s: $openssl_verify"
echo

echo "== swift package benchmark --target SSAVerification (release build; the first one takes several minutes)"
filter_args=()
[ -n "${BENCH_FILTER:-}" ] && filter_args=(--filter "$BENCH_FILTER")
swift package --allow-writing-to-directory "$export_dir" benchmark \
  --target SSAVerification ${filter_args[@]+"${filter_args[@]}"} --no-progress --format jmh --path "$export_dir"

json=$(ls "$export_dir"/*.jmh.json 2>/dev/null | head -n 1)
[ -n "$json" ] || { echo "the benchmark run wrote no JMH export to $export_dir" >&2; exit 1; }

echo
python3 - "$json" "$openssl_verify" "$GOAL" "$PS256_NAME" "${BENCH_REQUIRE_GOAL:-0}" <<'PY' | tee .benchmark-output.txt
import json, sys

path, openssl_verify, goal, ps256_name, require = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
prefix = "package.benchmark.SSAVerification."
rows = {}
for element in json.load(open(path)):
    name = element["benchmark"]
    name = name[len(prefix):] if name.startswith(prefix) else name
    name = name.replace("_", " ")  # the export writes spaces as underscores
    metrics = element["secondaryMetrics"]
    wall = metrics["Time (wall clock)"]  # microseconds
    assert wall["scoreUnit"] == "μs", wall["scoreUnit"]
    mallocs = metrics.get("Malloc (total)")
    rows[name] = {
        "mean_us": wall["score"],
        "p50_us": wall["scorePercentiles"]["50.0"],
        "p90_us": wall["scorePercentiles"]["90.0"],
        "mallocs": mallocs["scorePercentiles"]["50.0"] if mallocs else None,
        "samples": element["measurementIterations"],
    }

def ops(us):
    return 1e6 / us if us > 0 else float("nan")

print(f"{'benchmark':<52} {'p50 µs':>8} {'p90 µs':>8} {'mean µs':>8} {'ops/s':>9} {'ops/s@p50':>10} {'mallocs':>8} {'samples':>8}")
for name in sorted(rows):
    r = rows[name]
    m = "-" if r["mallocs"] is None else f"{r['mallocs']:.0f}"
    print(f"{name:<52} {r['p50_us']:>8.1f} {r['p90_us']:>8.1f} {r['mean_us']:>8.1f} {ops(r['mean_us']):>9.0f} {ops(r['p50_us']):>10.0f} {m:>8} {r['samples']:>8}")
print()
print(f"openssl speed rsa2048 verify:            {openssl_verify:>9.0f} ops/s ({1e6 / openssl_verify:.1f} µs)")
primitive = rows.get("Primitive verify PS256 (swift-crypto, digest given)")
if primitive:
    print(f"swift-crypto RSA-PSS verify (primitive): {ops(primitive['mean_us']):>9.0f} ops/s "
          f"= {ops(primitive['mean_us']) / openssl_verify:.2f}x openssl")
ps256 = rows.get(ps256_name)
if ps256 is None:
    print(f"'{ps256_name}' was not run: no ratio")
    sys.exit(0)
ratio = ops(ps256["mean_us"]) / openssl_verify
print(f"{ps256_name}:    {ops(ps256['mean_us']):>9.0f} ops/s (mean {ps256['mean_us']:.1f} µs; "
      f"p50 {ps256['p50_us']:.1f} µs = {ops(ps256['p50_us']):.0f} ops/s)")
print(f"ratio to openssl rsa2048 verify: {ratio:.2f} (at p50: {ops(ps256['p50_us']) / openssl_verify:.2f}); "
      f"goal >= {goal}: {'met' if ratio >= goal else 'NOT met'}")
if require and ratio < goal:
    sys.exit(1)
PY
