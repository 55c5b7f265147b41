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
done
exit $status
