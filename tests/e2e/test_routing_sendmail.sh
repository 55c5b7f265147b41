#!/bin/bash
#
# tests/e2e/test_routing_sendmail.sh - routing through a real Sendmail:
# swaks -> private Sendmail 8.17 on 127.0.0.1 -> escalation-milter
# (routing config, local socket) -> relay mailer -> private Postfix (no
# milter) -> one maildir per envelope recipient; or Sendmail's quarantine
# (the queue file becomes hfQID with a "q<reason>" line).
#
# The checks are MTA-agnostic and live in routing_suite.sh, the same ones
# test_routing_postfix.sh runs; this file starts Sendmail (sendmail.sh),
# the relay Postfix (postfix.sh) and the milter, and defines the suite's
# hooks for Sendmail:
#   mta_send      sm_send (swaks), recipients comma-separated
#   mta_wait      until Sendmail's queue (qf/tf) is empty, i.e. all was
#                 relayed or quarantined, and then the relay Postfix's
#                 queue is empty too, i.e. all was delivered to maildirs
#   mta_mailbox   pf_mailbox (the relay Postfix's maildirs)
#   mta_held      sm_held: "QID<TAB>reason<TAB>rcpts" per hfQID file
#   mta_held_message   the held message rebuilt from the queue: the H
#                 lines of hfQID (less those whose ?cond? the relay
#                 mailer does not meet) and dfQID
#   milter_restart     rewrite the config with rs_routing_yaml MODE,
#                      ms_stop + ms_start (same socket; Sendmail opens a
#                      new milter connection per SMTP session)
#
# After the suite, four Sendmail-side checks: "mailq -qQ" lists the held
# legal threat with the milter's reason for its original recipient, and
# released with "sendmail -qQ -Q -qI" it reaches that recipient only.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "e2e-routing-sendmail: N passed, N failed".  Needs root (unshare,
# mounts, Sendmail's and Postfix's daemons); without root it reports one
# skip.  Environment: SRCDIR, MILTER_BIN (postfix.sh), SM_CACHE
# (sendmail.sh), PF_KEEP=1 keeps the temporary directories,
# E2E_VERBOSE=1 prints the logs at the end.

# Hooks and check helpers are called indirectly.
# shellcheck disable=SC2317
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
NAME=e2e-routing-sendmail
. "$(dirname "$0")/report.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# $NAME needs root (unshare, mounts, Sendmail and Postfix daemons)"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

# shellcheck source=tests/e2e/sendmail.sh
. "$HERE/sendmail.sh"
# shellcheck source=tests/e2e/routing_suite.sh
. "$HERE/routing_suite.sh"

e2e_dump_logs() {
	[ -n "$SM_DIR" ] || return 0
	echo "# --- milter log (tail) ---"
	tail -n 30 "${MS_LOG:-/dev/null}" 2>/dev/null | sed 's/^/# /'
	echo "# --- Sendmail log $(sm_log) (tail) ---"
	sm_log_tail 30 | sed 's/^/# /'
	echo "# --- relay Postfix maillog (tail) ---"
	pf_maillog_tail 15 | sed 's/^/# /'
}

finish() {
	e2e_finish "$NAME"
}

# --- the hooks of routing_suite.sh for Sendmail -----------------------

mta_send() {
	local from=$1 rcpts=$2 file=$3
	if ! sm_send "$from" "${rcpts// /,}" "$file"; then
		echo "swaks failed:"
		tail -n 5 "$SM_LAST_SEND_LOG"
		return 1
	fi
}

# Sendmail writes qfQID before its 250 and removes it only after the
# relay Postfix answered 250 to the relayed copy, by which time that copy
# is in Postfix's queue: so "both queues empty", in this order, means
# everything sent so far was delivered (or quarantined: hf files do not
# count).
mta_wait() {
	local end=$(($(date +%s) + 20))
	while [ "$(sm_queue_count)" -gt 0 ] || [ "$(pf_queue_count)" -gt 0 ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "after 20 s: $(sm_queue_count) message(s) in Sendmail's queue, $(pf_queue_count) in the relay Postfix's:"
			find "$SM_DIR/queue" -maxdepth 1 -type f -printf "%f %s bytes\n" | tail -n 8
			echo "Sendmail log tail:"
			sm_log_tail 8
			echo "Postfix log tail:"
			pf_maillog_tail 8
			return 1
		fi
		sleep 0.05
	done
}

mta_mailbox() {
	pf_mailbox "$1"
}

mta_held() {
	sm_held
}

# The quarantined message QID as the relay would get it: the header
# lines of hfQID and the body file dfQID.  A header line is
# "H[?cond?]Name: value", continuation lines start with white space; a
# line whose ?cond? names a mailer flag the relay mailer lacks (?P?
# Return-Path, still holding an unexpanded macro) or a macro is left out,
# as Sendmail leaves it out when it relays.
mta_held_message() {
	local qf=$SM_DIR/queue/hf$1 df=$SM_DIR/queue/df$1 flags
	[ -f "$qf" ] || qf=$SM_DIR/queue/qf$1
	if [ ! -f "$qf" ] || [ ! -f "$df" ]; then
		echo "no queue files for $1 in $SM_DIR/queue"
		return 1
	fi
	flags=$(sed -n 's/^Mrelay,.*[ \t]F=\([^,]*\),.*/\1/p' "$SM_DIR/test.cf")
	awk -v flags="$flags" '
		/^H/ {
			inh = 1
			keep = 1
			if (match($0, /^H\?[^?]*\?/)) {
				cond = substr($0, 3, RLENGTH - 3)
				for (i = 1; i <= length(cond); i++)
					if (index(flags, substr(cond, i, 1)) == 0)
						keep = 0
				$0 = substr($0, RLENGTH + 1)
			} else {
				$0 = substr($0, 2)
			}
			if (keep)
				print
			next
		}
		/^[ \t]/ && inh { if (keep) print; next }
		{ inh = 0 }' "$qf"
	echo
	cat "$df"
}

milter_restart() {
	ms_stop
	write_conf "$1" && ms_start "$CONF"
}

# ---------------------------------------------------------------------

# The milter config: postfix.sh's test settings plus the routing part,
# as in test_routing_postfix.sh (without its socket_mode/socket_group
# for Postfix's unprivileged smtpd: Sendmail calls the milter as root).
write_conf() {
	ms_write_conf "$CONF" "$(rs_routing_yaml "$1")"
}

e2e_require postfix swaks python3 perl unshare m4
if ! sm_setup; then
	not_ok "Sendmail fetched and unpacked into $SM_CACHE"
	finish
fi

pf_init || { not_ok "create Postfix's temporary directory"; finish; }
sm_init || { not_ok "create Sendmail's temporary directory"; finish; }
sm_use_milter_socket || { not_ok "a socket directory Sendmail accepts"; finish; }
CONF=$SM_DIR/milter.yaml
RS_CONF=$CONF
write_conf enforce
check "milter -n accepts the routing config" "$MILTER_BIN" -n -c "$CONF"
if ! ms_start "$CONF"; then
	not_ok "milter starts with the routing config"
	finish
fi
ok "milter starts with the routing config on $MS_SPEC"
# shellcheck disable=SC2086 # a list of addresses
pf_add_mailbox $RS_MAILBOXES
if ! PF_MILTER='' pf_start; then
	not_ok "relay Postfix starts"
	finish
fi
SM_MILTER_FLAGS=T
if ! sm_start; then
	not_ok "private Sendmail starts"
	finish
fi
ok "private Sendmail starts on 127.0.0.1:$SM_PORT, relaying to Postfix on 127.0.0.1:$PF_PORT"

# Sendmail's own view of the quarantine: exactly one message, the legal
# threat, held with the milter's reason for its original recipient.
held_by_mailq() {
	local out
	out=$(sm_mailq -qQ 2>&1)
	if printf '%s\n' "$out" | grep -q -F 'QUARANTINE: escalation: legal (channel shopify)' &&
	    printf '%s\n' "$out" | grep -q -F "<$RS_SUPPORT>" &&
	    printf '%s\n' "$out" | grep -q 'Total requests: 1$'; then
		return 0
	fi
	printf '%s\n' "$out"
	return 1
}

# Releases every held message and waits until it is delivered.
release_held() {
	local id
	for id in $(sm_held | cut -f1); do
		sm_release "$id" || return 1
	done
	mta_wait
}

routing_suite || not_ok "routing_suite ran"
check "Sendmail's mailq -qQ lists the legal threat, quarantined for $RS_SUPPORT with the milter's reason" \
    held_by_mailq
check "released from quarantine (sendmail -qQ -Q -qI), Sendmail relays it" release_held
check "released: the legal threat lands only at its original recipient $RS_SUPPORT" \
    rs_lands_only "$RS_MSGS/legal-hold.eml" "$RS_SUPPORT"
check "released: nothing is held any more" rs_held_count_is 0
check "milter still running" ms_running
finish
