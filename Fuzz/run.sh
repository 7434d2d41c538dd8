#!/usr/bin/env bash
# Builds one libFuzzer harness and runs it for SECONDS, then prints libFuzzer's final stats.
#
#   Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#   Fuzz/run.sh list
#
# TARGET: fuzz-cbor fuzz-authdata fuzz-attestation fuzz-attestation-parts
#         fuzz-registration-json fuzz-authentication-json fuzz-client-data
#
# Layout (all git-ignored):
#   .build-fuzz/              SwiftPM scratch path (release, -sanitize=fuzzer,address)
#   Fuzz/corpus-TARGET/       the growing corpus, kept between runs
#   Fuzz/out/seeds-TARGET/    seeds regenerated from the vectors on every run (gen_seeds.py)
#   Fuzz/out/TARGET/          crash-*, timeout-*, oom-* artifacts
#   Fuzz/out/TARGET.log       full libFuzzer log of the last run
#
# Environment: SWIFT (swift binary), FUZZ_SCRATCH (scratch path), FUZZ_NICE (default 10),
# CLAVIGER_VECTORS (vector folder), FUZZ_SKIP_BUILD=1 (reuse the last build),
# FUZZ_SOURCE=live|snapshot (default live). `snapshot` builds against a copy of the main package
# in .build-fuzz-src/ (made on first use, or again with FUZZ_RESNAPSHOT=1), so that edits other
# people make during a long series of runs cannot break or change the build halfway;
# .build-fuzz-src/SNAPSHOT.txt records the commit and the changed files it was taken from.
set -uo pipefail
export SWIFT_DETERMINISTIC_HASHING=1
# The Swift runtime's own crash handler (swift-backtrace) races libFuzzer's and ASan's on a
# crash and reports a spurious ASan error from inside itself; libFuzzer does the reporting.
export SWIFT_BACKTRACE=enable=no

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FUZZ_DIR")
TARGETS="fuzz-cbor fuzz-authdata fuzz-attestation fuzz-attestation-parts fuzz-registration-json fuzz-authentication-json fuzz-client-data"

if [[ $# -ge 1 && $1 == list ]]; then echo "$TARGETS" | tr ' ' '\n'; exit 0; fi
if [[ $# -lt 2 ]]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer flags...]   (targets: $TARGETS)" >&2
    exit 2
fi
TARGET=$1
SECS=$2
shift 2
if [[ " $TARGETS " != *" $TARGET "* ]]; then echo "unknown target $TARGET (targets: $TARGETS)" >&2; exit 2; fi

if [[ -z ${SWIFT:-} ]]; then
    if [[ -x /opt/swift/usr/bin/swift ]]; then SWIFT=/opt/swift/usr/bin/swift; else SWIFT=swift; fi
fi
SCRATCH=${FUZZ_SCRATCH:-$ROOT/.build-fuzz}
NICE=${FUZZ_NICE:-10}

if [[ ${FUZZ_SOURCE:-live} == snapshot ]]; then
    SNAPSHOT=$ROOT/.build-fuzz-src
    if [[ ! -f $SNAPSHOT/Package.swift || ${FUZZ_RESNAPSHOT:-0} == 1 ]]; then
        echo "+ snapshot of $ROOT -> $SNAPSHOT"
        rm -rf "${ROOT:?}/.build-fuzz-src"
        mkdir -p "$SNAPSHOT"
        tar -C "$ROOT" --exclude='./.build*' --exclude='./.git' --exclude='./Fuzz' --exclude='./.venv*' -cf - . | tar -C "$SNAPSHOT" -xf -
        {
            echo "snapshot taken $(date -u +%Y-%m-%dT%H:%M:%SZ) from $ROOT"
            echo "HEAD $(git -C "$ROOT" rev-parse HEAD 2>/dev/null)"
            echo "uncommitted changes:"
            git -C "$ROOT" status --short -- Package.swift Sources 2>/dev/null
        } >"$SNAPSHOT/SNAPSHOT.txt"
    fi
    export CLAVIGER_FUZZ_PACKAGE_PATH=$SNAPSHOT
    echo "building against the snapshot: $(head -2 "$SNAPSHOT/SNAPSHOT.txt" | tr '\n' ' ')"
fi

# Per-target input size limit and dictionary.
case $TARGET in
    fuzz-attestation|fuzz-attestation-parts) MAX_LEN=65536; DICT=cbor.dict ;;
    fuzz-cbor|fuzz-authdata)                 MAX_LEN=16384; DICT=cbor.dict ;;
    fuzz-registration-json)                  MAX_LEN=65536; DICT=json.dict ;;
    fuzz-authentication-json|fuzz-client-data) MAX_LEN=16384; DICT=json.dict ;;
esac

# -sanitize=fuzzer instruments every Swift module (WebAuthn and its dependencies, so coverage
# also guides through X509/SwiftASN1) and links libFuzzer; address adds ASan. -enable-testing
# lets the attestation harnesses `@testable import WebAuthn` (AttestationInput has no public init).
BUILD=(nice -n "$NICE" "$SWIFT" build -c release --package-path "$FUZZ_DIR" --scratch-path "$SCRATCH" --product "$TARGET"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing)
if [[ ${FUZZ_SKIP_BUILD:-0} != 1 ]]; then
    echo "+ ${BUILD[*]}"
    # Other people edit the main package while this builds ("input file ... was modified during
    # the build"): retry a few times before giving up.
    for attempt in 1 2 3 4 5; do
        "${BUILD[@]}" && break
        [[ $attempt == 5 ]] && { echo "build failed" >&2; exit 1; }
        echo "build failed (attempt $attempt); retrying in 30 s" >&2
        sleep 30
    done
fi
BIN=$("$SWIFT" build -c release --package-path "$FUZZ_DIR" --scratch-path "$SCRATCH" --show-bin-path)/$TARGET
[[ -x $BIN ]] || { echo "no binary at $BIN" >&2; exit 1; }

CORPUS=$FUZZ_DIR/corpus-$TARGET
SEEDS=$FUZZ_DIR/out/seeds-$TARGET
ARTIFACTS=$FUZZ_DIR/out/$TARGET
LOG=$FUZZ_DIR/out/$TARGET.log
mkdir -p "$CORPUS" "$ARTIFACTS"
rm -rf "$SEEDS"
python3 "$FUZZ_DIR/seeds/gen_seeds.py" "$TARGET" "$SEEDS" 2>/dev/null || echo "warning: seed generation failed; fuzzing from the corpus only" >&2

RUN=(nice -n "$NICE" "$BIN" "$CORPUS" "$SEEDS"
     -max_total_time="$SECS" -max_len="$MAX_LEN" -rss_limit_mb=4096 -timeout=10
     -dict="$FUZZ_DIR/dicts/$DICT" -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 "$@")
echo "+ ${RUN[*]}"
echo "  (log: $LOG)"
START=$(date +%s)
"${RUN[@]}" >"$LOG" 2>&1
STATUS=$?
END=$(date +%s)

echo
echo "== $TARGET: libFuzzer exit status $STATUS after $((END - START)) s =="
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$LOG" | tail -2
grep -E '^(Done [0-9]+ runs|stat::)' "$LOG"
grep -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal|FUZZ PROPERTY VIOLATED|Fatal error|ALARM|out-of-memory|Test unit written' "$LOG" | head -20
echo "corpus: $(find "$CORPUS" -type f | wc -l) files in $CORPUS"
ARTS=$(find "$ARTIFACTS" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) | sort)
if [[ -n $ARTS ]]; then echo "artifacts:"; echo "$ARTS" | sed 's/^/  /'; else echo "artifacts: none"; fi
exit $STATUS
