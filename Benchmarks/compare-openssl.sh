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
echo "== openssl speed -seconds $OPENSSL_SECONDS ecdsap256"
ec_out=$(openssl speed -seconds "$OPENSSL_SECONDS" ecdsap256 2>/dev/null)
# Line: " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  41243.0  14040.5" -> the last column is verify/s.
openssl_ec_verify=$(awk '/bits ecdsa \(nistp256\)/ { print $NF }' <<<"$ec_out" | tail -n 1)
if ! [[ "$openssl_ec_verify" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
  echo "could not read verify/s from openssl speed ecdsap256 output:" >&2
  echo "$ec_out" >&2
  exit 1
fi
echo "openssl ecdsap256 verify/s: $openssl_ec_verify"
echo

echo "== swift package benchmark --target SSAVerification (release build; the first one takes several minutes)"
filter_args=()
[ -n "${BENCH_FILTER:-}" ] && filter_args=(--filter "$BENCH_FILTER")
swift package --allow-writing-to-directory "$export_dir" benchmark \
  --target SSAVerification ${filter_args[@]+"${filter_args[@]}"} --no-progress --format jmh --path "$export_dir"

json=$(ls "$export_dir"/*.jmh.json 2>/dev/null | head -n 1)
[ -n "$json" ] || { echo "the benchmark run wrote no JMH export to $export_dir" >&2; exit 1; }

echo
python3 - "$json" "$openssl_verify" "$GOAL" "$openssl_ec_verify" "${BENCH_REQUIRE_GOAL:-0}" <<'PY' | tee .benchmark-output.txt
import json, sys

path, openssl_verify, goal, openssl_ec_verify, require = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
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
BATCH = 1000  # the "batch" benchmarks verify this many SSAs per sample
met_all = True
def goal_line(label, value, target, better="higher", unit=""):
    global met_all
    met = value >= target if better == "higher" else value <= target
    met_all = met_all and met
    sign = ">=" if better == "higher" else "<="
    print(f"  {label:<58} {value:>9.2f}{unit}  goal {sign} {target}{unit}: {'met' if met else 'NOT met'}")

print(f"openssl speed rsa2048 verify:   {openssl_verify:>9.0f} ops/s ({1e6 / openssl_verify:.1f} µs)")
print(f"openssl speed ecdsap256 verify: {openssl_ec_verify:>9.0f} ops/s ({1e6 / openssl_ec_verify:.1f} µs)")
for alg, reference in (("PS256", openssl_verify), ("ES256", openssl_ec_verify)):
    batch = rows.get(f"SSA verify batch {alg} (warm JWKS, {BATCH} per sample)")
    single = rows.get(f"SSA verify {alg} (warm JWKS)")
    primitive = rows.get(f"Primitive verify {alg} (swift-crypto, digest given)")
    print(f"{alg}:")
    if primitive:
        print(f"  swift-crypto primitive alone: {ops(primitive['mean_us']):>9.0f} ops/s = {ops(primitive['mean_us']) / reference:.2f}x openssl")
    if single:
        print(f"  one SSA per sample (a new Task each): {ops(single['mean_us']):>9.0f} ops/s = {ops(single['mean_us']) / reference:.2f}x openssl")
    if batch:
        per = batch["mean_us"] / BATCH
        goal_line(f"SSA verify {alg}, warm JWKS ({BATCH} per sample): {ops(per):.0f}/s, x openssl", ops(per) / reference, goal)
parse = rows.get("Compact JWS parse PS256")
if parse:
    goal_line("compact JWS parse of the 2.5 KB PS256 SSA, µs (p50)", parse["p50_us"], 5.0, "lower", " µs")
ssa, jwsv = rows.get("SSA verify batch PS256 (warm JWKS, 1000 per sample)"), rows.get("JWS verify PS256")
if ssa and jwsv:
    goal_line("SSA verify minus JWS verify (verifier, policy, report), µs", ssa["mean_us"] / BATCH - jwsv["mean_us"], 5.0, "lower", " µs")
single, jwsv = rows.get("SSA verify PS256 (warm JWKS)"), rows.get("JWS verify PS256")
if single and jwsv and single["mallocs"] is not None and jwsv["mallocs"] is not None:
    goal_line("SSA verify minus JWS verify, mallocs", single["mallocs"] - jwsv["mallocs"], 40, "lower")
if require and not met_all:
    sys.exit(1)
PY
