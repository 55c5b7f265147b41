#!/bin/bash
#
# tests/e2e/test_routing_postfix.sh - routing through a real MTA: swaks ->
# private Postfix 3.7 on 127.0.0.1 -> escalation-milter (routing config,
# unix socket) -> one maildir per address, or Postfix's hold queue.
#
# The checks are MTA-agnostic and live in routing_suite.sh; this file
# starts Postfix (postfix.sh) and the milter and defines the suite's hooks
# for Postfix:
#   mta_send      pf_send (swaks), recipients comma-separated
#   mta_wait      until maildrop, incoming, active and deferred are empty
#                 (the hold queue does not count)
#   mta_mailbox   pf_mailbox
#   mta_held      "QUEUEID" per message that postqueue -p marks with '!'
#   mta_held_message   postcat -bh -q QUEUEID
#   milter_restart     rewrite the config with rs_routing_yaml MODE,
#                      ms_stop + ms_start
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "e2e-routing-postfix: N passed, N failed".  Needs root (Postfix's
# master); without root it reports one skip.  Environment: SRCDIR,
# MILTER_BIN (postfix.sh), PF_KEEP=1 keeps the temporary directory,
# E2E_VERBOSE=1 prints the logs at the end.

# Hooks and check helpers are called indirectly.
# shellcheck disable=SC2317
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
NAME=e2e-routing-postfix
. "$(dirname "$0")/report.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# $NAME needs root to run a private Postfix (its master runs as root)"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

# shellcheck source=tests/e2e/postfix.sh
. "$HERE/postfix.sh"
# shellcheck source=tests/e2e/routing_suite.sh
. "$HERE/routing_suite.sh"

e2e_dump_logs() {
	[ -n "$PF_DIR" ] || return 0
	echo "# --- milter log (tail) ---"
	tail -n 30 "${MS_LOG:-/dev/null}" 2>/dev/null | sed 's/^/# /'
	echo "# --- Postfix maillog (tail) ---"
	pf_maillog_tail 30 | sed 's/^/# /'
}

finish() {
	e2e_finish "$NAME"
}

# --- the hooks of routing_suite.sh for Postfix ------------------------

mta_send() {
	local from=$1 rcpts=$2 file=$3
	if ! pf_send "$from" "${rcpts// /,}" "$file"; then
		echo "swaks failed:"
		tail -n 5 "$PF_LAST_SEND_LOG"
		return 1
	fi
}

# Queue files not yet delivered; held ones stay where they are.
pf_pending_count() {
	find "$PF_DIR/queue/maildrop" "$PF_DIR/queue/incoming" \
	    "$PF_DIR/queue/active" "$PF_DIR/queue/deferred" \
	    -type f 2>/dev/null | wc -l
}

mta_wait() {
	local end=$(($(date +%s) + 20))
	while [ "$(pf_pending_count)" -gt 0 ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "still $(pf_pending_count) message(s) in the queue after 20 s:"
			postqueue -c "$PF_DIR/etc" -p 2>&1 | tail -n 8
			pf_maillog_tail 8
			return 1
		fi
		sleep 0.05
	done
}

mta_mailbox() {
	pf_mailbox "$1"
}

# postqueue -p marks held messages with '!' after the queue id.
mta_held() {
	postqueue -c "$PF_DIR/etc" -p 2>/dev/null |
	    sed -n 's/^\([0-9A-Za-z]\{1,\}\)!.*/\1/p'
}

mta_held_message() {
	postcat -c "$PF_DIR/etc" -bh -q "$1"
}

milter_restart() {
	ms_stop
	write_conf "$1" && ms_start "$CONF"
}

# ---------------------------------------------------------------------

# The milter config: postfix.sh's test settings plus the routing part.
write_conf() {
	ms_write_conf "$CONF" 'socket_mode: "0660"' 'socket_group: postfix' \
	    "$(rs_routing_yaml "$1")"
}

e2e_require postfix swaks python3 perl

pf_init || { not_ok "create temporary directory"; finish; }
CONF=$PF_DIR/milter.yaml
RS_CONF=$CONF
RS_TMPDIR=$PF_DIR
write_conf enforce
check "milter -n accepts the routing config" "$MILTER_BIN" -n -c "$CONF"
if ! ms_start "$CONF"; then
	not_ok "milter starts with the routing config"
	finish
fi
ok "milter starts with the routing config"
# shellcheck disable=SC2086 # a list of addresses
pf_add_mailbox $RS_MAILBOXES
if ! pf_start; then
	not_ok "private Postfix starts"
	finish
fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT"

routing_suite || not_ok "routing_suite ran"
check "milter still running" ms_running
finish
