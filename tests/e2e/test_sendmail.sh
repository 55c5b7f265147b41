#!/bin/bash
#
# tests/e2e/test_sendmail.sh - the whole path through Sendmail: swaks ->
# private Sendmail 8.17 on 127.0.0.1 -> escalation-milter on a local
# socket -> relay mailer -> private Postfix (no milter) -> one maildir per
# envelope recipient.  See sendmail.sh for how Sendmail is run.
#
# Checks what each recipient's mailbox really receives when Sendmail
# calls the milter: (a) a legal threat is tagged (Subject prefix,
# X-Escalation fields); (b) a neutral message arrives byte for byte
# unchanged apart from trace fields; (c) forged X-Escalation fields are
# removed; (d) two envelope recipients (two domains) each get one copy;
# Sendmail relays everything and delivers nothing itself; (e) with the
# milter down, F=T tempfails at MAIL FROM and no flag passes mail through
# untagged.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "e2e-sendmail: N passed, N failed".  Without root it only reports one
# skip.  Environment: SRCDIR, MILTER_BIN (postfix.sh), SM_CACHE
# (sendmail.sh), PF_KEEP=1 keeps the temporary directories,
# E2E_VERBOSE=1 prints the logs at the end.

# Check helpers are called through check(): not unreachable.
# shellcheck disable=SC2317
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
MSGS=$HERE/msgs
. "$(dirname "$0")/report.sh"
. "$(dirname "$0")/mailassert.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# e2e-sendmail needs root (unshare, mounts, Sendmail and Postfix daemons)"
	echo "e2e-sendmail: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

# shellcheck source=tests/e2e/sendmail.sh
. "$HERE/sendmail.sh"

e2e_dump_logs() {
	[ -n "$SM_DIR" ] || return 0
	echo "# --- milter log (tail) ---"
	tail -n 20 "${MS_LOG:-/dev/null}" 2>/dev/null | sed 's/^/# /'
	echo "# --- Sendmail log $(sm_log) (tail) ---"
	sm_log_tail 30 | sed 's/^/# /'
	echo "# --- Postfix maillog (tail) ---"
	pf_maillog_tail 15 | sed 's/^/# /'
}

finish() {
	e2e_finish "e2e-sendmail"
}

# deliver FILE TO[,TO...]: sends FILE through Sendmail and waits until
# one copy per recipient is delivered.  Sets QID (Sendmail's queue id)
# and GOT (the copy of the first recipient, "" when it did not arrive).
# Three failures in a row end the run.
QID=
GOT=
LOST=0
deliver() {
	local file=$1 to=$2 n
	QID=
	GOT=
	n=$(printf '%s\n' "$to" | tr ',' '\n' | grep -c .)
	if sm_send sender@customer.example "$to" "$file"; then
		QID=$(sm_last_queue_id)
		if sm_wait_delivered "$QID" "$n" 30 2>&1 | sed 's/^/# /'; then
			GOT=$(sm_delivered "$QID" | awk -F '\t' -v a="${to%%,*}" '$1 == a { print $2; exit }')
		fi
	else
		echo "# swaks failed for $file:"
		tail -n 5 "$SM_LAST_SEND_LOG" | sed 's/^/#   /'
	fi
	if [ -n "$GOT" ]; then
		LOST=0
		return 0
	fi
	LOST=$((LOST + 1))
	if [ "$LOST" -ge 3 ]; then
		not_ok "three messages in a row not delivered: giving up"
		finish
	fi
	return 1
}

# The milter's log has exactly one line naming queue id $1 (the "i"
# macro Sendmail sends with MAIL FROM).
milter_logged_once() {
	local n
	[ -n "$1" ] || { echo "no queue id in the swaks transcript"; return 1; }
	n=$(grep -c -F -- "$1" "$MS_LOG")
	[ "$n" -eq 1 ] || { echo "$n lines name $1 in $MS_LOG"; return 1; }
}

# The recipients of QID's delivered copies are exactly $2 (comma list).
delivered_to() {
	local got want
	got=$(sm_delivered "$1" | cut -f1 | sort | paste -s -d, -)
	want=$(printf '%s\n' "$2" | tr ',' '\n' | sort | paste -s -d, -)
	[ "$got" = "$want" ] || { echo "delivered to '$got', want '$want'"; sm_delivered "$1"; return 1; }
}

# Every copy of QID is the same message apart from trace fields.
copies_identical() {
	local first='' f
	for f in $(sm_delivered "$1" | cut -f2); do
		if [ -z "$first" ]; then
			first=$f
			continue
		fi
		mailcheck strip-trace "$first" >"$SM_DIR/copy1"
		mailcheck same "$f" "$SM_DIR/copy1" || return 1
	done
	[ -n "$first" ] || { echo "no copy"; return 1; }
}

# Each mailbox holds exactly N messages.
mailbox_count() {
	local a=$1 want=$2 n
	n=$(pf_mailbox "$a" | wc -l)
	[ "$n" -eq "$want" ] || { echo "$a has $n message(s), want $want"; return 1; }
}

one_each() {
	local a
	for a in "$@"; do
		mailbox_count "$a" 1 || return 1
	done
}

# Sendmail delivered nothing itself: every "to=" line of its log names
# the relay mailer and host, and each says Sent.
only_relayed() {
	local log bad total
	log=$(sm_log)
	total=$(grep -c ': to=' "$log")
	bad=$(grep ': to=' "$log" | grep -v -E 'mailer=relay, .*relay=\[127\.0\.0\.1\] \[127\.0\.0\.1\], dsn=2\.0\.0, stat=Sent')
	[ "$total" -gt 0 ] || { echo "no delivery in the log"; return 1; }
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

queue_clean() {
	local n h
	n=$(sm_queue_count)
	h=$(sm_held)
	[ "$n" -eq 0 ] || { echo "$n message(s) waiting"; ls -l "$SM_DIR/queue"; return 1; }
	[ -z "$h" ] || { echo "held: $h"; return 1; }
}

ms_gone() {
	! kill -0 "$1" 2>/dev/null
}

# ---------------------------------------------------------------------

e2e_require postfix swaks python3 perl unshare m4
if ! sm_setup; then
	not_ok "Sendmail fetched and unpacked into $SM_CACHE"
	finish
fi
ok "Sendmail unpacked in $SM_ROOT"

pf_init || { not_ok "create Postfix's temporary directory"; finish; }
sm_init || { not_ok "create Sendmail's temporary directory"; finish; }
sm_use_milter_socket || { not_ok "a socket directory Sendmail accepts"; finish; }
check "the milter socket's directory chain is not group/world-writable" \
    sm_dir_safe "$(dirname "$MS_SOCKET")"
CONF=$SM_DIR/milter.yaml
ms_write_conf "$CONF"
if ! ms_start "$CONF"; then
	not_ok "milter starts and creates its socket"
	finish
fi
ok "milter starts on $MS_SPEC"
if ! PF_MILTER='' pf_start; then
	not_ok "relay Postfix starts"
	finish
fi
check "relay Postfix on 127.0.0.1:$PF_PORT runs without a milter" \
    test -z "$(postconf -c "$PF_DIR/etc" -h smtpd_milters)"
SM_MILTER_FLAGS=T
if ! sm_start; then
	not_ok "private Sendmail starts"
	finish
fi
ok "private Sendmail starts on 127.0.0.1:$SM_PORT, relaying to 127.0.0.1:$PF_PORT"
check "Sendmail is 8.17 and its log is captured" \
    grep -q 'starting daemon (8\.17' "$(sm_log)"
check "test.cf calls the milter with F=T" \
    grep -q "^Xescalation, S=local:$MS_SOCKET, F=T, T=" "$SM_DIR/test.cf"

# (a) lawyer + chargeback: tagged.
m=$MSGS/legal-chargeback.eml
if deliver "$m" support@shop.example; then
	got=$GOT
	ok "(a) legal+chargeback message delivered to support@shop.example ($QID)"
	check "(a) Subject is [ESCALATED: <X-Escalation>] + the original" \
	    subject_tagged_as_header "$got" "Order #48213 - still no refund"
	check "(a) X-Escalation names legal" header_matches "$got" X-Escalation '(^|[ ,])legal($|[ ,])'
	check "(a) X-Escalation-Signals present (cat=count/threshold)" \
	    header_matches "$got" X-Escalation-Signals '[a-z_]+=[0-9]+/[0-9]+'
	check "(a) X-Escalation-Reason present" has_header "$got" X-Escalation-Reason
	check "(a) exactly one X-Escalation field" count_is "$got" X-Escalation 1
	check "(a) nothing else changed (body and other fields byte for byte)" \
	    mailcheck untagged "$got" "$m"
	check "(a) milter logged one line for Sendmail's queue id $QID" milter_logged_once "$QID"
else
	not_ok "(a) legal+chargeback message delivered"
fi

# (b) neutral: byte for byte.
m=$MSGS/neutral.eml
if deliver "$m" support@shop.example; then
	got=$GOT
	ok "(b) neutral message delivered"
	check "(b) delivered byte for byte as sent (apart from trace fields)" \
	    mailcheck same "$got" "$m"
	check "(b) no X-Escalation* field" no_header "$got" 'X-Escalation*'
else
	not_ok "(b) neutral message delivered"
fi

# (c) forged X-Escalation fields, neutral text.
for name in forged-header forged-lowercase; do
	m=$MSGS/$name.eml
	if deliver "$m" support@shop.example; then
		got=$GOT
		ok "(c) $name delivered"
		check "(c) $name: no X-Escalation* field survives" no_header "$got" 'X-Escalation*'
		check "(c) $name: Subject not tagged" subject_lacks "$got" "[ESCALATED"
		check "(c) $name: everything else unchanged" mailcheck untagged "$got" "$m"
	else
		not_ok "(c) $name delivered"
	fi
done

# (d) two envelope recipients in two domains: one copy each.
m=$MSGS/legal-chargeback.eml
rcpts=legal@shop.example,seller@marketplace.amazon.com
if deliver "$m" "$rcpts"; then
	ok "(d) message to two envelope recipients delivered ($QID)"
	check "(d) delivered to exactly $rcpts" delivered_to "$QID" "$rcpts"
	check "(d) one message in each mailbox" one_each legal@shop.example seller@marketplace.amazon.com
	check "(d) both copies tagged, identical apart from trace fields" copies_identical "$QID"
	check "(d) the copy for seller@ is tagged" \
	    subject_tagged_as_header "$(sm_delivered "$QID" | awk -F '\t' '$1 ~ /^seller@/ { print $2 }')" \
	    "Order #48213 - still no refund"
	check "(d) milter saw one message with two recipients" \
	    grep -q -E "$QID: .*rcpts=2 " "$MS_LOG"
else
	not_ok "(d) message to two envelope recipients delivered"
fi

check "Sendmail delivered nothing itself: every recipient went to relay=[127.0.0.1], Sent" only_relayed
check "Sendmail's queue is empty and nothing is held" queue_clean

# (e) milter down: Sendmail's F= flag decides.
pid=$MS_PID
ms_stop
check "(e) milter stopped by its PID" ms_gone "$pid"
before=$(pf_delivered_count)
m=$MSGS/legal-chargeback.eml
if sm_send sender@customer.example support@shop.example "$m"; then
	not_ok "(e) F=T: with the milter down MAIL FROM gets 451"
else
	if grep -q -E '^ *<\*\* +451 4\.3\.2' "$SM_LAST_SEND_LOG"; then
		ok "(e) F=T: with the milter down MAIL FROM gets 451 ($(grep -m1 -o -E '451 [^[:cntrl:]]*' "$SM_LAST_SEND_LOG"))"
	else
		not_ok "(e) F=T: with the milter down MAIL FROM gets 451"
		tail -n 5 "$SM_LAST_SEND_LOG" | sed 's/^/#   /'
	fi
fi
check "(e) F=T: nothing was queued" test "$(sm_queue_count)" -eq 0
SM_MILTER_FLAGS=
if sm_restart; then
	ok "(e) Sendmail restarted with no F= flag"
	if deliver "$m" support@shop.example; then
		ok "(e) no flag: with the milter down mail is delivered"
		check "(e) ... untouched (no tag)" mailcheck same "$GOT" "$m"
	else
		not_ok "(e) no flag: with the milter down mail is delivered"
	fi
	check "(e) Sendmail logged the unreachable milter" \
	    grep -q -E 'Milter \(escalation\): .*(unsafe|Connection refused|No such file)' "$(sm_log)"
else
	not_ok "(e) Sendmail restarted with no F= flag"
fi
check "(e) exactly one more message delivered" test "$(pf_delivered_count)" -eq "$((before + 1))"

pid=$SM_PID
dpid=$SM_DAEMON_PID
sm_stop
check "Sendmail stopped: daemon $dpid and its namespace (unshare $pid) are gone" \
    eval "ms_gone $dpid && ms_gone $pid"

finish
