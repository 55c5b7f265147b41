#!/bin/sh
# golden.sh - whole messages through `escalation-milter -t`, compared
# with the expected JSON: tests/data/NAME.eml -> tests/data/NAME.expect.
#
#   sh tests/golden.sh            compare (prints "golden: N passed, N failed")
#   sh tests/golden.sh --update   rewrite the .expect files (review the diff!)
#
# With VALGRIND=1 each run is under valgrind and any error fails it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
data="$top/tests/data"
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0
fail=0
run() {
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$bin" "$@"
	else
		"$bin" "$@"
	fi
}
cd "$data" || exit 1
for eml in *.eml; do
	name=${eml%.eml}
	got=$(run -t -c golden.yaml "$eml" 2>/tmp/golden.$$.err)
	rc=$?
	if [ $update = 1 ]; then
		printf '%s\n' "$got" > "$name.expect"
		echo "updated $name.expect"
		continue
	fi
	if [ $rc -ne 0 ]; then
		echo "not ok - $name: exit $rc"; cat /tmp/golden.$$.err
		fail=$((fail + 1))
	elif [ ! -f "$name.expect" ]; then
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
rm -f /tmp/golden.$$.err
# A thread of messages in one run shares nothing between messages.
if [ $update = 0 ]; then
	n=$(run -t -c golden.yaml neutral.eml plain-legal.eml neutral.eml | grep -c '"escalate":true')
	if [ "$n" = 1 ]; then
		echo "ok - several files in one run are judged independently"
		pass=$((pass + 1))
	else
		echo "not ok - several files in one run: $n escalated, want 1"
		fail=$((fail + 1))
	fi
fi
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
