#!/bin/sh
# run.sh - protocol tests with miltertest against the real daemon, once
# over a unix socket and once over TCP on loopback.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/em-proto.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cat > "$tmp/conf.yaml" <<EOC
rules: [$top/rules/default.yaml]
log_level: debug
EOC
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
status=0
for sock in "unix:$tmp/milter.sock" "inet:$port@127.0.0.1"; do
	echo "# socket $sock"
	if ! miltertest -D bin="$top/milter/escalation-milter" \
	    -D conf="$tmp/conf.yaml" -D sock="$sock" \
	    -s "$top/tests/miltertest/protocol.lua" 2>"$tmp/err"; then
		status=1
		cat "$tmp/err"
	fi
	# one decision line per message, keyed by the queue id (macro i)
	pass=0 fail=0
	for want in "QID1: client=client.example rcpts=1 categories=legal,chargeback .* action=tag" \
	    "QID2: .*categories=- .*forged_removed=2 .*action=pass" \
	    "QID4: .*categories=- .*action=pass" \
	    "QID6: .*categories=legal .*action=tag"; do
		if grep -q "$want" "$tmp/err"; then
			echo "ok - log line: $want"; pass=$((pass + 1))
		else
			echo "not ok - log line: $want"; fail=$((fail + 1)); status=1
		fi
	done
	if grep -q "QID3: " "$tmp/err"; then
		echo "not ok - aborted message QID3 logged as judged"; fail=$((fail + 1)); status=1
	else
		echo "ok - aborted message not judged"; pass=$((pass + 1))
	fi
	case $sock in
	unix:*)
		if [ -e "${sock#unix:}" ]; then
			echo "not ok - unix socket left behind after SIGTERM"; fail=$((fail + 1)); status=1
		else
			echo "ok - unix socket removed at exit"; pass=$((pass + 1))
		fi
		;;
	esac
	echo "protocol-log: $pass passed, $fail failed"
done
exit $status
