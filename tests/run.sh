#!/bin/sh
#
# tests/run.sh - the test runner behind "make check".
#
#   sh tests/run.sh [unit] [golden] [cli] [protocol] [e2e]  (no argument: all)
#
# unit      every tests/unit/test_* executable, with SRCDIR=<source root>
# golden    sh tests/golden.sh, when it exists
# cli       sh tests/cli.sh (command line, -n diagnostics), explain_eval.sh,
#           quality.sh (scripts/eval.py --check on the labelled corpora),
#           sh tests/install.sh (make install into a staging DESTDIR),
#           sh tests/daemon.sh (daemon start as root, privilege drop)
# protocol  sh tests/miltertest/run.sh, when it exists
# e2e       every tests/e2e/test_*.sh (bash; private Postfix, needs root)
#
# Each suite prints lines "SUITE: N passed, N failed" (one or more per
# program, all are added); this script adds them up and ends with "N passed, N failed" (and ", N skipped" when
# something was skipped).  A program that ends without such a line, is
# killed by the time limit, or exits non-zero without reporting a failure
# counts as one failure.  Exits 1 when anything failed.
#
# VALGRIND=1 runs the unit binaries under valgrind, and exports
# VALGRIND_CMD for tests/golden.sh to put in front of its -t runs.
# TEST_TIMEOUT (seconds, default 600; 1800 under valgrind) bounds each
# program.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRCDIR=$ROOT
export SRCDIR
cd "$ROOT" || exit 2

if [ "${VALGRIND:-0}" = 1 ]; then
	VALGRIND_CMD="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	DEFAULT_TIMEOUT=1800
else
	VALGRIND_CMD=
	DEFAULT_TIMEOUT=600
fi
export VALGRIND_CMD

# Compiled rule sets are kept between runs and shared by every suite
# (plain, sanitizer and valgrind builds alike): compiling the shipped
# rules takes seconds, loading them milliseconds.  Entries are keyed by
# the patterns, so a stale one is never used.
if [ -z "${ESCALATION_MILTER_RULES_CACHE+set}" ]; then
	ESCALATION_MILTER_RULES_CACHE=${TMPDIR:-/tmp}/escalation-milter-rules-$(id -u)
	mkdir -p "$ESCALATION_MILTER_RULES_CACHE" &&
	    chmod 700 "$ESCALATION_MILTER_RULES_CACHE"
fi
export ESCALATION_MILTER_RULES_CACHE
TEST_TIMEOUT=${TEST_TIMEOUT:-$DEFAULT_TIMEOUT}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/escm-run.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

TOTAL_P=0
TOTAL_F=0
TOTAL_S=0
SUITE_LINES=

# run_prog NAME CMD...: runs CMD (output shown as it comes and kept),
# then sets P F S to its reported counts.
run_prog() {
	name=$1
	shift
	out=$TMP/out
	: >"$TMP/rc"
	{
		timeout -k 10 "$TEST_TIMEOUT" "$@" </dev/null 2>&1
		echo $? >"$TMP/rc"
	} | tee "$out"
	rc=$(cat "$TMP/rc")
	# Every "[WORD: ]N passed, N failed[, N skipped]" line counts: a
	# script may report several parts (the protocol suite reports each
	# socket type).
	grep -E '^([A-Za-z0-9_./-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' \
	    "$out" >"$TMP/sums"
	if [ ! -s "$TMP/sums" ]; then
		P=0
		F=1
		S=0
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "not ok - $name: killed after ${TEST_TIMEOUT}s without a summary"
		else
			echo "not ok - $name: ended (exit $rc) without a summary line"
		fi
		return
	fi
	# shellcheck disable=SC2046 # three numbers
	set -- $(sed -E 's/^([^ ]+: )?//; s/ passed, / /; s/ failed(, )?/ /; s/ skipped$//' "$TMP/sums" |
	    awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
	P=$1
	F=$2
	S=$3
	if [ "$rc" != 0 ] && [ "$F" = 0 ]; then
		echo "not ok - $name: exit status $rc although it reported no failure"
		F=1
	fi
}

# Records one suite's totals.
suite_done() {
	suite=$1
	TOTAL_P=$((TOTAL_P + $2))
	TOTAL_F=$((TOTAL_F + $3))
	TOTAL_S=$((TOTAL_S + $4))
	SUITE_LINES="$SUITE_LINES$(summary "$suite" "$2" "$3" "$4")
"
}

summary() {
	if [ "$4" -gt 0 ]; then
		echo "$1: $2 passed, $3 failed, $4 skipped"
	else
		echo "$1: $2 passed, $3 failed"
	fi
}

suite_unit() {
	up=0
	uf=0
	us=0
	n=0
	for t in tests/unit/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		case $t in
		*.c | *.o | *.d | *.h | *.sh) continue ;;
		esac
		n=$((n + 1))
		echo "--- $t"
		if [ -n "$VALGRIND_CMD" ]; then
			# shellcheck disable=SC2086
			run_prog "$t" $VALGRIND_CMD "./$t"
		else
			run_prog "$t" "./$t"
		fi
		up=$((up + P))
		uf=$((uf + F))
		us=$((us + S))
	done
	if [ "$n" = 0 ]; then
		echo "not ok - unit: no test binary in tests/unit (run 'make check')"
		uf=1
	fi
	summary unit "$up" "$uf" "$us"
	suite_done unit "$up" "$uf" "$us"
}

# suite_script NAME FILE...: runs each FILE with sh (or bash for *.sh
# under e2e), sums their summaries.
suite_script() {
	suite=$1
	shell=$2
	shift 2
	sp=0
	sf=0
	ss=0
	for f in "$@"; do
		echo "--- $f"
		run_prog "$f" "$shell" "$f"
		sp=$((sp + P))
		sf=$((sf + F))
		ss=$((ss + S))
	done
	if [ $# -gt 1 ]; then
		summary "$suite" "$sp" "$sf" "$ss"
	fi
	suite_done "$suite" "$sp" "$sf" "$ss"
}

suite_golden() {
	if [ -f tests/golden.sh ]; then
		suite_script golden sh tests/golden.sh
	else
		echo "# golden: tests/golden.sh not present, nothing to run"
	fi
}

suite_cli() {
	suite_script cli sh tests/cli.sh tests/install.sh tests/daemon.sh tests/history_cli.sh tests/history_redis.sh tests/explain_eval.sh tests/quality.sh
}

suite_protocol() {
	if [ -f tests/miltertest/run.sh ]; then
		suite_script protocol sh tests/miltertest/run.sh
	else
		echo "# protocol: tests/miltertest/run.sh not present, nothing to run"
	fi
}

suite_e2e() {
	set --
	for f in tests/e2e/test_*.sh; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ $# = 0 ]; then
		echo "# e2e: no tests/e2e/test_*.sh"
		return
	fi
	suite_script e2e bash "$@"
}

if [ $# = 0 ]; then
	set -- unit golden cli protocol e2e
fi
START=$(date +%s)
for s in "$@"; do
	case $s in
	unit | golden | cli | protocol | e2e)
		echo "=== $s"
		"suite_$s"
		;;
	*)
		echo "run.sh: unknown suite '$s' (unit golden cli protocol e2e)" >&2
		exit 2
		;;
	esac
done

echo "==="
printf '%s' "$SUITE_LINES"
echo "# $(($(date +%s) - START))s"
summary "" "$TOTAL_P" "$TOTAL_F" "$TOTAL_S" | sed 's/^: //'
[ "$TOTAL_F" = 0 ]
