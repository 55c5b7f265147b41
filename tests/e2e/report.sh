# report.sh - check reporting shared by the end-to-end test scripts.
#
#   ok MSG / not_ok MSG        count and print one result
#   check DESC COMMAND...      ok when COMMAND succeeds (output shown on failure)
#   e2e_require TOOL...        not ok (and finish) unless every TOOL and
#                              the milter binary are there
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

e2e_require() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			not_ok "$tool is installed (run 'make deps')"
			finish
		fi
	done
	if [ ! -x "$MILTER_BIN" ]; then
		not_ok "milter binary $MILTER_BIN exists (run 'make')"
		finish
	fi
}
