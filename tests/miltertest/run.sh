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
for _ in range(600):  # a first start compiles the rules
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
# History: thresholds across messages through the daemon, and a store
# that is down.  Three daemons side by side (history.lua, one mode each):
# Redis stopped and started again under a running milter; a SQLite file
# of garbage, then removed (the lazy retry, every 2 s here, opens a new
# store); on_unavailable: tempfail.  The Redis server is ours, on a free
# loopback port, without persistence, stopped by its PID.
hdir=$tmp/history
mkdir -p "$hdir"
hpass=0 hfail=0 hskip=0
hmodes="sqlite tempfail"
# ctl start|stop: the Redis server (by its pid file); ctl fix MODE:
# removes MODE's garbage store.
cat > "$hdir/ctl" <<EOS
#!/bin/sh
case \$1 in
start)
	redis-server --port "\$(cat "$hdir/redis.port")" --bind 127.0.0.1 \\
	    --save '' --appendonly no --daemonize yes --dir "$hdir" \\
	    --pidfile "$hdir/redis.pid" --logfile "$hdir/redis.log" || exit 1
	for i in \$(seq 1 50); do
		redis-cli -p "\$(cat "$hdir/redis.port")" ping 2>/dev/null |
		    grep -q PONG && exit 0
		sleep 0.1
	done
	exit 1
	;;
stop)
	pid=\$(cat "$hdir/redis.pid" 2>/dev/null) || exit 0
	kill "\$pid" 2>/dev/null
	for i in \$(seq 1 50); do
		kill -0 "\$pid" 2>/dev/null || exit 0
		sleep 0.1
	done
	exit 1
	;;
fix)
	rm -f "$hdir/\$2.db" "$hdir/\$2.db-wal" "$hdir/\$2.db-shm"
	;;
esac
EOS
chmod +x "$hdir/ctl"
# At exit: the miltertest runs still going and the filters they
# started, our Redis server (all by PID), then the files.
# shellcheck disable=SC2317 # called by the trap
history_cleanup() {
	for job in "$hdir"/*.job; do
		[ -f "$job" ] || continue
		job=$(cat "$job")
		# shellcheck disable=SC2046 # a list of PIDs
		kill $(ps -o pid= --ppid "$job") "$job" 2>/dev/null
	done
	"$hdir/ctl" stop
	rm -rf "$tmp"
}
trap history_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
	for _ in 1 2 3 4 5; do
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' > "$hdir/redis.port"
		if "$hdir/ctl" start; then
			hmodes="redis $hmodes"
			break
		fi
	done
	case $hmodes in
	redis*) ;;
	*) echo "not ok - history: redis-server did not start: $(tail -n 3 "$hdir/redis.log")"; hfail=$((hfail + 1)); status=1 ;;
	esac
else
	echo "# history: redis-server or redis-cli not found, Redis part skipped"
	hskip=1
fi
for mode in $hmodes; do
	case $mode in
	redis) store="redis://127.0.0.1:$(cat "$hdir/redis.port")/0" extra= ;;
	sqlite) store="sqlite:$hdir/$mode.db" extra= ;;
	tempfail) store="sqlite:$hdir/$mode.db" extra="on_unavailable: tempfail" ;;
	esac
	[ "$mode" = redis ] || head -c 8192 /dev/urandom > "$hdir/$mode.db"
	cat > "$hdir/$mode.yaml" <<EOC
rules: [$top/rules/default.yaml]
log_level: info
history:
  store: "$store"
  retry_seconds: 2
  $extra
EOC
	miltertest -D bin="$top/milter/escalation-milter" -D conf="$hdir/$mode.yaml" \
	    -D sock="unix:$hdir/$mode.sock" -D mode="$mode" -D ctl="$hdir/ctl" \
	    -s "$top/tests/miltertest/history.lua" > "$hdir/$mode.out" 2> "$hdir/$mode.err" &
	echo $! > "$hdir/$mode.job"
done
for mode in $hmodes; do
	wait "$(cat "$hdir/$mode.job")"
	rc=$?
	rm -f "$hdir/$mode.job"
	echo "# history, $mode store"
	cat "$hdir/$mode.out"
	hpass=$((hpass + $(grep -c '^ok - ' "$hdir/$mode.out")))
	nok=$(grep -c '^not ok - ' "$hdir/$mode.out")
	hfail=$((hfail + nok))
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		echo "not ok - history $mode: miltertest exited $rc"; hfail=$((hfail + 1))
	fi
	if [ "$rc" != 0 ] || [ "$nok" != 0 ]; then
		status=1
		tail -n 20 "$hdir/$mode.err"
	fi
done
"$hdir/ctl" stop
# The log: one decision line per message, the warning, the action.
while IFS='|' read -r mode want; do
	case " $hmodes " in
	*" $mode "*) ;;
	*) continue ;;
	esac
	case $want in
	!*) if grep -q -- "${want#!}" "$hdir/$mode.err"; then r=1; else r=0; fi; want="no line matches ${want#!}" ;;
	*) if grep -q -- "$want" "$hdir/$mode.err"; then r=0; else r=1; fi ;;
	esac
	if [ $r = 0 ]; then
		echo "ok - history $mode log: $want"; hpass=$((hpass + 1))
	else
		echo "not ok - history $mode log: $want"; hfail=$((hfail + 1)); status=1
	fi
done <<'EOT'
redis| R1: client=client.example rcpts=1 categories=- signals=review-threat:1/2 forged_removed=0 .*action=pass
redis| R2: client=client.example rcpts=1 categories=review-threat signals=review-threat:2/2 forged_removed=0 .*action=tag
redis| R3: .*categories=- signals=review-threat:1/2 history=unavailable .*action=pass
redis| R4: .*history=unavailable .*action=pass
redis|warning: history: redis 127.0.0.1:[0-9]*: .*judged on this message alone
redis| R6: .*categories=review-threat signals=review-threat:2/2 forged_removed=0 .*action=tag
redis|! R[1256]: .*history=unavailable
sqlite| S1: .*categories=- signals=review-threat:1/2 history=unavailable .*action=pass
sqlite| S2: .*categories=- signals=review-threat:1/2 history=unavailable .*action=pass
sqlite|warning: history: sqlite:.*store not open (retrying every 2 s); judged on this message alone
sqlite| S4: .*categories=review-threat signals=review-threat:2/2 forged_removed=0 .*action=tag
sqlite|! S[34]: .*history=unavailable
tempfail| T1: history unavailable; on_unavailable=tempfail
tempfail| T1: .*history=unavailable .*action=tempfail
tempfail| T2: .*history=unavailable .*action=tempfail
EOT
if [ "$hskip" = 1 ]; then
	echo "protocol-history: $hpass passed, $hfail failed, $hskip skipped"
else
	echo "protocol-history: $hpass passed, $hfail failed"
fi
exit $status
