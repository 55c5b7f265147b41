#!/bin/bash
#
# tests/e2e/test_postfix.sh - the whole path: swaks -> private Postfix 3.7
# on 127.0.0.1 -> escalation-milter on a unix socket -> virtual maildirs.
#
# Checks what a mailbox really receives: tags on escalated mail, neutral
# mail byte for byte unchanged (apart from Postfix's trace fields),
# forged X-Escalation* fields removed, RFC 2047 subjects kept valid,
# hostile input delivered without killing the milter, and what Postfix
# does when the milter is gone (milter_default_action accept/tempfail).
#
# Messages are LF files in tests/e2e/msgs/ (pf_send makes them CRLF on
# the wire; Postfix delivers LF).  Prints "ok - ..." / "not ok - ..." per
# check and ends with "e2e: N passed, N failed".  Needs root (Postfix's
# master); without root it reports every check as skipped.
#
# Environment: SRCDIR, MILTER_BIN (see postfix.sh), PF_KEEP=1 keeps the
# temporary directory, E2E_VERBOSE=1 prints the logs at the end.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/postfix.sh
. "$HERE/postfix.sh"
MSGS=$HERE/msgs
. "$(dirname "$0")/report.sh"
. "$(dirname "$0")/mailassert.sh"

e2e_dump_logs() {
	[ -n "$PF_DIR" ] || return 0
	echo "# --- milter log (tail) ---"
	tail -n 30 "$MS_LOG" 2>/dev/null | sed 's/^/# /'
	echo "# --- Postfix maillog (tail) ---"
	pf_maillog_tail 30 | sed 's/^/# /'
}

finish() {
	e2e_finish "e2e"
}

# Sends FILE to TO (default support@shop.example), waits until it is
# delivered; sets GOT to the delivered copy's path ("" when it was not).
# Not for $(...): it keeps count in this shell.
# Three failures in a row end the run: the path is broken, and waiting
# for every further message would only take time.
DELIVERED=0
GOT=
LOST=0
deliver() {
	local file=$1 to=${2:-support@shop.example} before
	GOT=
	before=$(pf_mailbox "$to" | wc -l)
	if pf_send "sender@customer.example" "$to" "$file"; then
		DELIVERED=$((DELIVERED + 1))
		pf_wait_delivered "$DELIVERED" 60 2>&1 | sed 's/^/# /'
		GOT=$(pf_mailbox "$to" | sed -n "$((before + 1))p")
	else
		echo "# swaks failed for $file:"
		tail -n 5 "$PF_LAST_SEND_LOG" | sed 's/^/#   /'
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

# The queue id Postfix gave the last message sent (from swaks's transcript).
last_queue_id() {
	sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$PF_LAST_SEND_LOG" | tail -n 1
}

subject_starts() {
	local s
	s=$(mailcheck subject "$1")
	case "$s" in
	"$2"*) return 0 ;;
	*) echo "Subject: '$s'"; return 1 ;;
	esac
}

# The milter's log has exactly one line naming queue id $1.
milter_logged_once() {
	local n
	[ -n "$1" ] || { echo "no queue id in the swaks transcript"; return 1; }
	n=$(grep -c -F -- "$1" "$MS_LOG")
	[ "$n" -eq 1 ] || { echo "$n lines name $1 in $MS_LOG"; return 1; }
}

delivered_is() {
	local n q
	n=$(pf_delivered_count)
	q=$(pf_queue_count)
	[ "$n" -eq "$1" ] || { echo "$n delivered, want $1"; return 1; }
	[ "$q" -eq 0 ] || { echo "$q message(s) in the queue"; return 1; }
}

ms_gone() {
	! kill -0 "$1" 2>/dev/null
}

# ---------------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then
	echo "# e2e needs root to run a private Postfix (its master runs as root)"
	echo "e2e: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
e2e_require postfix swaks python3 perl

pf_init || { not_ok "create temporary directory"; finish; }
CONF=$PF_DIR/milter.yaml
ms_write_conf "$CONF" 'socket_mode: "0660"' 'socket_group: postfix'
check "milter -n accepts the test config" "$MILTER_BIN" -n -c "$CONF"
if ! ms_start "$CONF"; then
	not_ok "milter starts and creates its socket"
	finish
fi
ok "milter starts and creates its socket"
case $MS_SPEC in
unix:*)
	check "postfix (smtpd) may connect to the milter socket" \
	    su -s /bin/sh postfix -c "test -r '$MS_SOCKET' && test -w '$MS_SOCKET'"
	;;
esac
if ! pf_start; then
	not_ok "private Postfix starts"
	finish
fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT (smtpd_milters = $(postconf -c "$PF_DIR/etc" -h smtpd_milters))"

# (a) lawyer + chargeback: tagged.
m=$MSGS/legal-chargeback.eml
deliver "$m"
got=$GOT
if [ -n "$got" ]; then
	ok "(a) legal+chargeback message delivered"
	check "(a) Subject starts with [ESCALATED: " subject_starts "$got" "[ESCALATED: "
	check "(a) X-Escalation names legal" header_matches "$got" X-Escalation '(^|[ ,])legal($|[ ,])'
	check "(a) X-Escalation names chargeback" header_matches "$got" X-Escalation '(^|[ ,])chargeback($|[ ,])'
	check "(a) Subject is [ESCALATED: <X-Escalation>] + the original" \
	    subject_tagged_as_header "$got" "Order #48213 - still no refund"
	check "(a) X-Escalation-Signals present (cat=count/threshold)" \
	    header_matches "$got" X-Escalation-Signals '[a-z_]+=[0-9]+/[0-9]+'
	check "(a) X-Escalation-Reason present" has_header "$got" X-Escalation-Reason
	check "(a) exactly one X-Escalation field" count_is "$got" X-Escalation 1
	check "(a) nothing else changed (body and other fields byte for byte)" \
	    mailcheck untagged "$got" "$m"
	qid=$(last_queue_id)
	check "(a) milter logged one line for queue id $qid" milter_logged_once "$qid"
else
	not_ok "(a) legal+chargeback message delivered"
fi

# (b) neutral: byte for byte.
m=$MSGS/neutral.eml
deliver "$m"
got=$GOT
if [ -n "$got" ]; then
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
	deliver "$m"
	got=$GOT
	if [ -n "$got" ]; then
		ok "(c) $name delivered"
		check "(c) $name: no X-Escalation* field survives" no_header "$got" 'X-Escalation*'
		check "(c) $name: Subject not tagged" subject_lacks "$got" "[ESCALATED"
		check "(c) $name: everything else unchanged" mailcheck untagged "$got" "$m"
	else
		not_ok "(c) $name delivered"
	fi
done

# (d) RFC 2047 subject, escalated.
m=$MSGS/encoded-subject.eml
deliver "$m"
got=$GOT
if [ -n "$got" ]; then
	ok "(d) encoded-subject message delivered"
	check "(d) delivered Subject is valid RFC 2047 (ASCII, well-formed words)" \
	    mailcheck valid-2047 "$got"
	check "(d) Subject decodes to [ESCALATED: <X-Escalation>] + original" \
	    subject_tagged_as_header "$got" "Bestellung 77401 – Rückerstattung fehlt"
	check "(d) body unchanged" mailcheck body-same "$got" "$m"
else
	not_ok "(d) encoded-subject message delivered"
fi

# (e) hostile input: delivered, milter survives.
big=$PF_DIR/one-megabyte-line.eml
{
	printf '%s\n' 'From: Long Line <long@customer.example>' \
	    'To: support@shop.example' 'Subject: one very long line' \
	    'Date: Tue, 19 Mar 2024 10:00:00 +0000' \
	    'Message-ID: <e2e-long-line@customer.example>' ''
	head -c 1048576 /dev/zero | tr '\0' 'x'
	printf '\n'
} >"$big"
for m in "$MSGS/broken-mime.eml" "$MSGS/8bit-headers.eml" "$MSGS/empty-body.eml" "$big"; do
	name=$(basename "$m" .eml)
	deliver "$m"
	got=$GOT
	if [ -n "$got" ]; then
		ok "(e) $name delivered"
		check "(e) $name: body delivered intact" mailcheck body-same "$got" "$m"
	else
		not_ok "(e) $name delivered"
	fi
	check "(e) milter still running after $name" ms_running
done
m=$MSGS/legal-chargeback.eml
deliver "$m"
got=$GOT
if [ -n "$got" ] && subject_starts "$got" "[ESCALATED: " >/dev/null; then
	ok "(e) milter still tags mail after the hostile input"
else
	not_ok "(e) milter still tags mail after the hostile input"
fi

# (f) milter gone: milter_default_action decides.
pid=$MS_PID
ms_stop
check "(f) milter stopped by its PID" ms_gone "$pid"
deliver "$m"
got=$GOT
if [ -n "$got" ]; then
	ok "(f) with milter_default_action=accept mail is delivered while the milter is down"
	check "(f) ... untouched (no tag)" mailcheck same "$got" "$m"
else
	not_ok "(f) with milter_default_action=accept mail is delivered while the milter is down"
fi
check "(f) Postfix logged the unreachable milter" \
    grep -q -E 'connect to Milter service .*(No such file|Connection refused)' "$PF_DIR/maillog"
# What tempfail does instead: the client is told to retry (4xx), nothing
# is queued or delivered.
pf_set milter_default_action=tempfail && pf_reload && sleep 1
before=$(pf_delivered_count)
if pf_send sender@customer.example support@shop.example "$m"; then
	not_ok "(f) with milter_default_action=tempfail the message is refused with 4xx"
else
	if grep -q -E '^ *<\*\* +4[0-9][0-9]' "$PF_LAST_SEND_LOG"; then
		ok "(f) with milter_default_action=tempfail the message is refused with 4xx ($(grep -m1 -o -E '4[0-9][0-9] [0-9.]+ [^[:cntrl:]]*' "$PF_LAST_SEND_LOG"))"
	else
		not_ok "(f) with milter_default_action=tempfail the message is refused with 4xx"
		tail -n 5 "$PF_LAST_SEND_LOG" | sed 's/^/#   /'
	fi
fi
sleep 1
check "(f) ... and nothing was queued or delivered" delivered_is "$before"

finish
