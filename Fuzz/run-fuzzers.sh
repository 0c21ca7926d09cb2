#!/usr/bin/env bash
# Builds the fuzz package (libFuzzer + AddressSanitizer, coverage from edges, 8-bit counters, PC
# tables and comparisons) and runs each target for a bounded time on a copy of its seed corpus,
# then prints one line per target: executions per second, coverage (libFuzzer's cov: and ft:),
# and whether it crashed, leaked or hung. Exit 1 when any did. `make fuzz` and `make fuzz-smoke`
# at the repository root run it.
#
#   Fuzz/run-fuzzers.sh [TARGET...]     build, then fuzz the named targets (default: all but the
#                                       selftest-crash and selftest-leak checks of the harness)
#   Fuzz/run-fuzzers.sh --build-only    build only
#   Fuzz/run-fuzzers.sh --replay        run every reproducer in Fuzz/regressions/ once and say
#                                       which still fail (exit 1 if any does)
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 5)
#   FUZZ_RSS_MB     memory limit per target process in MiB (default 2048)
#   FUZZ_FLAGS      more libFuzzer flags for every target (e.g. "-max_len=16384")
#   FUZZ_ARTIFACTS  where each run's logs and crashing inputs are kept, in a folder per run
#                   (default Fuzz/.build-fuzz/artifacts; `latest` links to the last run)
#   FUZZ_KEEP=1     keep the working corpora (the seed corpus is never modified)
#   FUZZ_BUILD=0    do not build (use the binaries already in Fuzz/.build-fuzz)
#   FUZZ_UNGUARDED=1  call the library even where a target steps around a known bug (see
#                   Fuzz/regressions/README.md; --replay always does)
#   SWIFT           the swift driver (default swift); FUZZ_JOBS build jobs (default 2)
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-5}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-$fuzz_dir/.build-fuzz/artifacts}
SWIFT=${SWIFT:-swift}
FUZZ_JOBS=${FUZZ_JOBS:-2}
SCRATCH=.build-fuzz

# Every target, in the order they run; the executable that holds each; the dictionaries
# (Fuzz/dicts/NAME.dict, concatenated) each gets.
TARGETS=(json base64url jws jwks dn registration-body token-body scim pem pkcs12)
# Checks of the harness, run only when named: each must be reported as a failure.
SELFTESTS=(selftest-crash selftest-leak)
declare -A EXECUTABLE=([scim]=FuzzInternals)
declare -A DICTS=(
  [json]="json" [base64url]="base64url" [jws]="jws json" [jwks]="jwks json" [dn]="dn"
  [registration-body]="registration json jws dn" [token-body]="token json dn" [scim]="scim json"
  [pem]="pem"
)

executable_of() { echo "${EXECUTABLE[$1]:-FuzzParsers}"; }

build() {
  local runtime
  # libFuzzer without its own main(): the executables enter through LLVMFuzzerRunDriver.
  runtime=$(find /opt/swift -name "libclang_rt.fuzzer_no_main-$(uname -m).a" 2>/dev/null | head -1)
  if [[ -z "$runtime" ]]; then
    # A toolchain elsewhere: look beside the swift driver in use.
    local root
    root=$(dirname "$(dirname "$(readlink -f "$(command -v "$SWIFT")")")")
    runtime=$(find "$root" -name "libclang_rt.fuzzer_no_main-$(uname -m).a" 2>/dev/null | head -1)
  fi
  if [[ -z "$runtime" ]]; then
    echo "run-fuzzers.sh: libclang_rt.fuzzer_no_main-$(uname -m).a not found under /opt/swift or the toolchain of $SWIFT" >&2
    exit 2
  fi
  local flags=(
    -Xswiftc -sanitize=address
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
    -Xlinker "$runtime" -Xlinker -lstdc++
  )
  local started=$SECONDS product
  for product in FuzzParsers FuzzInternals; do
    echo "== building $product (scratch path Fuzz/$SCRATCH)"
    # gold warns about every local __asan_* symbol it cannot export; they are harmless.
    "$SWIFT" build --quiet -j "$FUZZ_JOBS" --scratch-path "$SCRATCH" --product "$product" "${flags[@]}" 2>&1 \
      | { grep -v "Cannot export local symbol '__asan" || true; }
  done
  echo "== built in $((SECONDS - started)) s"
}

binary_of() {
  local path
  path="$("$SWIFT" build --scratch-path "$SCRATCH" --show-bin-path)/$(executable_of "$1")"
  [[ -x "$path" ]] || { echo "run-fuzzers.sh: $path is missing: build first" >&2; exit 2; }
  echo "$path"
}

# The top frames of a report that are in this repository (the library or the harness), demangled.
top_frames() {
  grep -E '^ +#[0-9]+ 0x[0-9a-f]+ in ' "$1" | grep -E '/(Sources|Fuzz)/' | head -6 \
    | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //' | { "$SWIFT" demangle --simplified --compact 2>/dev/null || cat; } \
    | sed -E "s#$(dirname "$fuzz_dir")/##"
}

replay() {
  shopt -s nullglob
  local failed=0 file base target found name
  local files=(regressions/*)
  if (( ${#files[@]} == 0 )); then echo "no reproducers in Fuzz/regressions"; return 0; fi
  for file in "${files[@]}"; do
    base=$(basename "$file")
    [[ "$base" == *.md ]] && continue
    target=""
    for name in "${TARGETS[@]}"; do
      if [[ "$base" == "$name"-* && ${#name} -gt ${#target} ]]; then target=$name; fi
    done
    if [[ -z "$target" ]]; then echo "?? $base: no target named by its prefix"; continue; fi
    mkdir -p "$FUZZ_ARTIFACTS/replay"
    found="$FUZZ_ARTIFACTS/replay/$base.log"
    if FUZZ_UNGUARDED=1 FUZZ_SCRATCH_DIR="$FUZZ_ARTIFACTS/replay" "$(binary_of "$target")" "$target" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" -detect_leaks=1 \
        -runs=1 "$file" >"$found" 2>&1; then
      echo "fixed     $base"
    else
      failed=1
      echo "FAILS     $base: $(grep -m1 -E 'SUMMARY|ERROR: libFuzzer|Fatal error' "$found" | sed -E 's/^==[0-9]+== ?//')"
    fi
  done
  return $failed
}

case "${1:-}" in
  --build-only) build; exit 0 ;;
  --replay) [[ "${FUZZ_BUILD:-1}" == 0 ]] || build; replay; exit $? ;;
esac

selected=("$@")
(( ${#selected[@]} > 0 )) || selected=("${TARGETS[@]}")
for target in "${selected[@]}"; do
  [[ " ${TARGETS[*]} ${SELFTESTS[*]} " == *" $target "* ]] || { echo "run-fuzzers.sh: unknown target $target (one of: ${TARGETS[*]} ${SELFTESTS[*]})" >&2; exit 2; }
done

[[ "${FUZZ_BUILD:-1}" == 0 ]] || build

# Working corpora and the scratch files of the file-based targets, in memory when possible.
parent=${TMPDIR:-/tmp}
[[ -d /dev/shm && -w /dev/shm ]] && parent=/dev/shm
work=$(mktemp -d "$parent/ssa-toolkit-fuzz.XXXXXX")
if [[ "${FUZZ_KEEP:-0}" == 1 ]]; then
  trap 'echo "working corpora kept in $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
run_dir="$FUZZ_ARTIFACTS/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$run_dir"
ln -sfn "$(basename "$run_dir")" "$FUZZ_ARTIFACTS/latest"
summary="$run_dir/summary.txt"
header=$(printf '%-18s %9s %7s %7s %8s  %s' target exec/s cov ft corpus result)
echo "$header" >"$summary"

failures=0
for target in "${selected[@]}"; do
  binary=$(binary_of "$target")
  corpus="$work/$target/corpus"
  artifacts="$run_dir/$target"
  log="$run_dir/$target.log"
  mkdir -p "$corpus" "$work/$target/scratch" "$artifacts"
  if [[ -d "corpus/$target" ]]; then cp -R "corpus/$target/." "$corpus/"; fi
  dict_args=()
  if [[ -n "${DICTS[$target]:-}" ]]; then
    for name in ${DICTS[$target]}; do cat "dicts/$name.dict"; echo; done >"$work/$target/dict"
    dict_args=(-dict="$work/$target/dict")
  fi
  echo "== fuzzing $target for ${FUZZ_SECONDS} s ($(ls "$corpus" | wc -l) seeds)"
  status=0
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  FUZZ_SCRATCH_DIR="$work/$target/scratch" timeout --kill-after=30 $((FUZZ_SECONDS * 2 + 120)) \
    "$binary" "$target" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout="$FUZZ_TIMEOUT" \
    -rss_limit_mb="$FUZZ_RSS_MB" -detect_leaks=1 -artifact_prefix="$artifacts/" "${dict_args[@]}" $FUZZ_FLAGS \
    "$corpus" >"$log" 2>&1 || status=$?

  execs=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$log" | tail -1)
  status_line=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$status_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status_line")
  units=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$status_line")
  found=$(ls "$artifacts" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' | head -1 || true)
  if (( status == 0 )) && [[ -z "$found" ]]; then
    result="ok"
  else
    failures=$((failures + 1))
    kind=${found%%-*}
    [[ -n "$kind" ]] || kind="exit $status"
    [[ "$status" != 124 && "$status" != 137 ]] || kind="killed after $((FUZZ_SECONDS * 2 + 120)) s"
    result="FAILED: ${kind^^}${found:+ (input: ${artifacts#"$(dirname "$fuzz_dir")"/}/$found)}"
  fi
  line=$(printf '%-18s %9s %7s %7s %8s  %s' "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${units:-?}" "$result")
  echo "$line"
  echo "$line" >>"$summary"
  if [[ "$result" != ok ]]; then
    grep -m1 -E 'SUMMARY:|ERROR: libFuzzer|Fatal error' "$log" | sed -E 's/^==[0-9]+== ?/    /; s/^([^ ])/    \1/' || true
    top_frames "$log" | sed 's/^/      at /'
    echo "    log: ${log#"$(dirname "$fuzz_dir")"/}"
  fi
done

echo
echo "== summary (${FUZZ_SECONDS} s per target; logs and inputs in ${run_dir#"$(dirname "$fuzz_dir")"/})"
cat "$summary"
if (( failures > 0 )); then
  echo "$failures target(s) crashed, leaked or hung"
  exit 1
fi
