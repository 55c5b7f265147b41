#!/bin/sh
# golden.sh - whole messages through `escalation-milter -t`, compared
# with the expected JSON: tests/data/NAME.eml -> tests/data/NAME.expect
# (config tests/data/golden.yaml), the routing cases in tests/data/route/
# (config route.yaml, envelope from the headers), and a customer thread
# in tests/data/history/ (config history.yaml, in-process store: the
# messages of one run count together, in name order).
#
#   sh tests/golden.sh            compare (ends "golden: N passed, N failed")
#   sh tests/golden.sh --update   rewrite the .expect files (review the diff!)
#
# All messages go through one -t run, in name order, as a thread would:
# each is judged on its own.  With VALGRIND=1 the run is under valgrind
# and any error fails the suite.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
data="$top/tests/data"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/em-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0
fail=0
# golden_dir DIR CONF: every DIR/*.eml in one -t run against DIR/CONF.
golden_dir() {
	cd "$1" || exit 1
	conf=$2
	set -- *.eml
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$bin" -t -c "$conf" "$@" \
		    > "$tmp/out" 2> "$tmp/err"
	else
		"$bin" -t -c "$conf" "$@" > "$tmp/out" 2> "$tmp/err"
	fi
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok - escalation-milter -t -c $conf exited $rc"
		cat "$tmp/err"
		fail=$((fail + 1))
	fi
	i=0
	for eml in "$@"; do
		i=$((i + 1))
		name=${eml%.eml}
		got=$(sed -n "${i}p" "$tmp/out")
		if [ $update = 1 ]; then
			printf '%s\n' "$got" > "$name.expect"
			continue
		fi
		if [ ! -f "$name.expect" ]; then
			echo "not ok - $name: no $name.expect"
			fail=$((fail + 1))
		elif [ "$got" = "$(cat "$name.expect")" ]; then
			echo "ok - $name"
			pass=$((pass + 1))
		else
			echo "not ok - $name"
			echo "  want: $(cat "$name.expect")"
			echo "  got:  $got"
			fail=$((fail + 1))
		fi
	done
	# Every line is one JSON object naming its file, in the order given.
	n=$(grep -c '^{"file":' "$tmp/out")
	if [ $update = 1 ]; then
		:
	elif [ "$n" = "$#" ]; then
		echo "ok - $conf: one JSON line per message"; pass=$((pass + 1))
	else
		echo "not ok - $conf: $n JSON lines for $# messages"; fail=$((fail + 1))
	fi
}

golden_dir "$data/route" route.yaml
golden_dir "$data/history" history.yaml
golden_dir "$data" golden.yaml
if [ $update = 1 ]; then
	echo "updated the .expect files"
	exit 0
fi
# A missing file is reported, the others are still evaluated.
"$bin" -t -c golden.yaml neutral.eml no-such.eml plain-legal.eml \
    > "$tmp/out2" 2> "$tmp/err2"
rc=$?
if [ $rc -eq 66 ] && [ "$(wc -l < "$tmp/out2")" -eq 2 ] &&
    grep -q 'no-such.eml' "$tmp/err2"; then
	echo "ok - unreadable file: EX_NOINPUT, the rest evaluated"; pass=$((pass + 1))
else
	echo "not ok - unreadable file: exit $rc"; fail=$((fail + 1))
fi
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
