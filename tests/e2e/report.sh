# report.sh - check reporting shared by the end-to-end test scripts.
#
#   ok MSG / not_ok MSG        count and print one result
#   check DESC COMMAND...      ok when COMMAND succeeds (output shown on failure)
#   e2e_finish NAME            print logs on failure (the script's own
#                              e2e_dump_logs, when defined), the time taken
#                              and "NAME: N passed, N failed", then exit
PASS=0
FAIL=0
T0=$(date +%s.%N)

ok() {
	PASS=$((PASS + 1))
	printf 'ok - %s\n' "$*"
}

not_ok() {
	FAIL=$((FAIL + 1))
	printf 'not ok - %s\n' "$*"
}

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; its output is
# shown indented on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		[ -n "$out" ] && printf '%s\n' "$out" | head -n 15 | sed 's/^/#   /'
	fi
}

e2e_finish() {
	local name=$1 t
	t=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if { [ "$FAIL" -gt 0 ] || [ -n "${E2E_VERBOSE:-}" ]; } &&
	    declare -F e2e_dump_logs >/dev/null; then
		e2e_dump_logs
	fi
	echo "# $name took ${t}s"
	echo "$name: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}
