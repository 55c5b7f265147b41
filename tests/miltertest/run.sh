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
# Routing: recipient changes and quarantine over the protocol.
cat > "$tmp/route.yaml" <<EOC
rules: [$top/rules/default.yaml]
routing:
  actions: {abuse: copy, legal: hold}
  trusted_senders: [domestic.example]
channels:
  - {name: shopify, recipients: [support@shop.example], domestic: shopify-esc@domestic.example}
  - {name: other, default: true, domestic: other-esc@domestic.example}
EOC
echo "# routing, socket unix:$tmp/route.sock"
if ! miltertest -D bin="$top/milter/escalation-milter" \
    -D conf="$tmp/route.yaml" -D sock="unix:$tmp/route.sock" \
    -s "$top/tests/miltertest/route.lua" 2>"$tmp/err"; then
	status=1
	cat "$tmp/err"
fi
# An MTA that does not offer the recipient actions this config needs:
# the filter refuses the session at negotiation (libmilter closes it, the
# MTA's default action applies) and says why.  miltertest always offers
# every action, so this speaks the protocol directly.
"$top/milter/escalation-milter" -f -c "$tmp/route.yaml" -p "unix:$tmp/neg.sock" 2>"$tmp/neg.err" &
negpid=$!
python3 - "$tmp/neg.sock" > "$tmp/neg.out" 2>&1 <<'EOP'
import socket, struct, sys, time
for _ in range(100):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
SMFIF_ADDHDRS, SMFIF_CHGHDRS = 0x01, 0x10
body = b"O" + struct.pack(">III", 6, SMFIF_ADDHDRS | SMFIF_CHGHDRS, 0x1fffff)
s.sendall(struct.pack(">I", len(body)) + body)
s.settimeout(5)
try:
    reply = s.recv(64)
except OSError:
    reply = b""
print("closed" if reply == b"" else "reply %r" % reply[4:5])
EOP
kill $negpid 2>/dev/null; wait $negpid 2>/dev/null
cat "$tmp/neg.err" >> "$tmp/err"
pass=0 fail=0
if grep -q '^closed$' "$tmp/neg.out"; then
	echo "ok - MTA without recipient actions: session refused at negotiation"; pass=$((pass + 1))
else
	echo "not ok - MTA without recipient actions: $(cat "$tmp/neg.out")"; fail=$((fail + 1)); status=1
fi
for want in "milter actions registered: add headers, change headers, add recipients, delete recipients, quarantine" \
    "R1: .*channel=shopify route=reroute:shopify-esc@domestic.example .*action=reroute" \
    "R2: .*route=copy:shopify-esc@domestic.example .*action=copy" \
    "R3: .*route=hold .*action=hold" \
    "R4: .*not_routed=trusted .*action=tag" \
    "R6: .*not_routed=loop" \
    "the MTA refuses milter actions this configuration needs: add recipients, delete recipients, quarantine; session refused"; do
	if grep -q "$want" "$tmp/err"; then
		echo "ok - log: $want"; pass=$((pass + 1))
	else
		echo "not ok - log: $want"; fail=$((fail + 1)); status=1
	fi
done
echo "protocol-route-log: $pass passed, $fail failed"
exit $status
