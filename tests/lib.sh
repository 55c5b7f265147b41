# lib.sh - shared by the shell test suites: check NAME EXPR counts one
# passed or failed check; summary SUITE prints "SUITE: N passed, N failed"
# and returns non-zero when something failed.
pass=0
fail=0
check() {
	if eval "$2"; then
		echo "ok - $1"; pass=$((pass + 1))
	else
		echo "not ok - $1"; fail=$((fail + 1))
	fi
}
summary() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
