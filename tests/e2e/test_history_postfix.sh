#!/bin/bash
#
# tests/e2e/test_history_postfix.sh - one customer's conversation end to
# end: swaks -> private Postfix 3.7 on 127.0.0.1 -> escalation-milter
# (SQLite history store, one default channel that reroutes to
# escalations@domestic.example) -> one maildir per address.
#
#   1. a review threat: delivered to support@ with review-threat=1/2 and
#      nothing else of ours
#   2. a second review threat (new Message-ID): the threshold is reached
#      across the two messages, rerouted to the domestic queue with
#      X-Escalation: review-threat and review-threat=2/2
#   3. a neutral "any news?": the case escalated, so it follows (sticky):
#      rerouted, X-Escalation starts with "followup"
#   4. message 2 again, same Message-ID: still 2/2, never 3/2
# Then the store, read with --history while the milter runs, holds each
# message once and no message text.
#
# Prints "ok - ..." / "not ok - ..." per check and ends with
# "e2e-history-postfix: N passed, N failed".  Needs root (Postfix's
# master); without root it reports one skip.  Environment: SRCDIR,
# MILTER_BIN (postfix.sh), PF_KEEP=1 keeps the temporary directory,
# E2E_VERBOSE=1 prints the logs at the end.

# Check helpers are called indirectly.
# shellcheck disable=SC2317
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
NAME=e2e-history-postfix
# shellcheck source=tests/e2e/report.sh
. "$(dirname "$0")/report.sh"

if [ "$(id -u)" != 0 ]; then
	echo "# $NAME needs root to run a private Postfix (its master runs as root)"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

# shellcheck source=tests/e2e/postfix.sh
. "$HERE/postfix.sh"

CUSTOMER=robin.hart@customer.example
SUPPORT=support@shop.example
DOMESTIC=escalations@domestic.example

mailcheck() {
	python3 "$HERE/mailcheck.py" "$@"
}

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

# msg FILE MESSAGE-ID SUBJECT BODY: a message from the customer.
msg() {
	cat >"$1" <<EOF
From: Robin Hart <$CUSTOMER>
To: $SUPPORT
Subject: $3
Date: Tue, 19 Mar 2024 10:00:00 +0000
Message-ID: <$2>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

$4
EOF
}

# send DESC FILE: sends FILE as the customer to support@ and waits for
# its delivery (every message of this test is delivered exactly once);
# one check; sets QID to Postfix's queue id.  Not for $(...) or check:
# it keeps count in this shell.
SENT=0
QID=
send() {
	local out=$PF_DIR/send.out
	QID=
	if ! pf_send "$CUSTOMER" "$SUPPORT" "$2" >"$out" 2>&1; then
		not_ok "$1"
		tail -n 5 "$PF_LAST_SEND_LOG" | sed 's/^/#   /'
		return 1
	fi
	SENT=$((SENT + 1))
	QID=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$PF_LAST_SEND_LOG" | tail -n 1)
	if pf_wait_delivered "$SENT" 20 >"$out" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$out"
	fi
}

# Paths of the delivered copies of message ID at ADDR, oldest first.
copies() {
	local p
	pf_mailbox "$1" | while IFS= read -r p; do
		grep -q -i -F -x "Message-ID: <$2>" "$p" 2>/dev/null && printf '%s\n' "$p"
	done
}

# lands ID ADDR N: ADDR holds N copies of message ID, the other
# mailbox (support@ or the domestic queue) none beyond what it had.
lands() {
	local id=$1 addr=$2 n=$3 other have
	other=$SUPPORT
	[ "$addr" = "$SUPPORT" ] && other=$DOMESTIC
	have=$(copies "$addr" "$id" | wc -l)
	[ "$have" -eq "$n" ] || { echo "$have copies of <$id> at $addr, want $n"; return 1; }
	have=$(copies "$other" "$id" | wc -l)
	[ "$have" -eq 0 ] || { echo "$have copies of <$id> at $other"; return 1; }
}

# header_is FILE NAME VALUE: exactly one NAME field, with VALUE.
header_is() {
	local v n
	[ -f "$1" ] || { echo "no delivered copy"; return 1; }
	n=$(mailcheck count "$1" "$2")
	v=$(mailcheck header "$1" "$2")
	[ "$n" -eq 1 ] && [ "$v" = "$3" ] && return 0
	echo "$n $2 field(s): '$v', want one: '$3'"
	return 1
}

# header_starts FILE NAME PREFIX
header_starts() {
	local v
	[ -f "$1" ] || { echo "no delivered copy"; return 1; }
	v=$(mailcheck header "$1" "$2")
	case $v in
	"$3"*) return 0 ;;
	esac
	echo "$2: '$v', want it to start with '$3'"
	return 1
}

# subject_is FILE SUBJECT: the decoded Subject.
subject_is() {
	local v
	[ -f "$1" ] || { echo "no delivered copy"; return 1; }
	v=$(mailcheck subject "$1")
	[ "$v" = "$2" ] && return 0
	echo "Subject: '$v', want '$2'"
	return 1
}

# no_header FILE NAME: no NAME field (NAME may end in *).
no_header() {
	local n
	[ -f "$1" ] || { echo "no delivered copy"; return 1; }
	n=$(mailcheck count "$1" "$2")
	[ "$n" -eq 0 ] && return 0
	echo "$n $2 field(s):"
	mailcheck header "$1" "$2"
	return 1
}

# only_ours FILE NAME...: the X-Escalation* fields of FILE are exactly
# NAME... (one each).
only_ours() {
	local f=$1 have want
	[ -f "$f" ] || { echo "no delivered copy"; return 1; }
	shift
	have=$(sed -n '/^$/q; s/^\(X-Escalation[^:]*\):.*/\1/Ip' "$f" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$have" = "$want" ] && return 0
	echo "X-Escalation* fields: $have; want: $want"
	return 1
}

# lacks FILE PATTERN...: no line of FILE matches any PATTERN (grep -i).
lacks() {
	local f=$1 p
	shift
	for p in "$@"; do
		if grep -q -i -e "$p" "$f"; then
			grep -i -e "$p" "$f" | head -n 3
			return 1
		fi
	done
}

# logged QID PATTERN: the milter's decision line for QID matches PATTERN.
logged() {
	local line
	[ -n "$1" ] || { echo "no queue id in the swaks transcript"; return 1; }
	line=$(grep -F -- " $1: " "$MS_LOG")
	printf '%s\n' "$line" | grep -q -E -- "$2" && return 0
	echo "milter log for $1: ${line:-(none)}"
	echo "want /$2/"
	return 1
}

# ---------------------------------------------------------------------

e2e_require postfix swaks python3 perl

pf_init || { not_ok "create temporary directory"; finish; }
CONF=$PF_DIR/milter.yaml
STORE=$PF_DIR/milter/history.db
ms_write_conf "$CONF" 'socket_mode: "0660"' 'socket_group: postfix' \
    "history: {store: \"sqlite:$STORE\", window_days: 30, sticky_days: 30}" \
    'routing: {default_action: reroute}' \
    'channels:' \
    "  - {name: shop, default: true, domestic: $DOMESTIC}"
check "milter -n accepts the history config" "$MILTER_BIN" -n -c "$CONF"
if ! ms_start "$CONF"; then
	not_ok "milter starts with a SQLite history store"
	finish
fi
ok "milter starts with a SQLite history store"
pf_add_mailbox "$DOMESTIC"
if ! pf_start; then
	not_ok "private Postfix starts"
	finish
fi
ok "private Postfix starts on 127.0.0.1:$PF_PORT"

M=$PF_DIR/msgs
mkdir -p "$M"
msg "$M/1.eml" hist-1@customer.example "Wrong size, order 5521" \
    "The jacket is the wrong size. If this is not fixed I will leave a 1-star review."
msg "$M/2.eml" hist-2@customer.example "Re: Wrong size, order 5521" \
    "Still the wrong size. I will post a 1-star review today."
msg "$M/3.eml" hist-3@customer.example "Re: Wrong size, order 5521" \
    "Any news?"

# 1. the first threat: counted, not escalated
send "1: sent and delivered" "$M/1.eml"
q1=$QID
check "1: at $SUPPORT only" lands hist-1@customer.example "$SUPPORT" 1
got=$(copies "$SUPPORT" hist-1@customer.example | tail -n 1)
check "1: X-Escalation-Signals: review-threat=1/2" \
    header_is "$got" X-Escalation-Signals review-threat=1/2
check "1: no X-Escalation" no_header "$got" X-Escalation
check "1: no X-Escalation-History (the store works)" \
    no_header "$got" X-Escalation-History
check "1: of ours only the signals and the reason" \
    only_ours "$got" X-Escalation-Signals X-Escalation-Reason
check "1: Subject untouched" subject_is "$got" "Wrong size, order 5521"
check "1: milter log: review-threat:1/2, pass" \
    logged "$q1" 'categories=- signals=review-threat:1/2 .*action=pass'

# 2. the second threat: the count spans both messages
send "2: sent and delivered" "$M/2.eml"
q2=$QID
check "2: rerouted to $DOMESTIC, not at $SUPPORT" \
    lands hist-2@customer.example "$DOMESTIC" 1
got=$(copies "$DOMESTIC" hist-2@customer.example | tail -n 1)
check "2: X-Escalation: review-threat" header_is "$got" X-Escalation review-threat
check "2: X-Escalation-Signals: review-threat=2/2" \
    header_is "$got" X-Escalation-Signals review-threat=2/2
check "2: X-Escalation-Reason counts the 2nd" \
    header_starts "$got" X-Escalation-Reason "review-threat (2nd "
check "2: X-Escalation-Original-Rcpt: $SUPPORT" \
    header_is "$got" X-Escalation-Original-Rcpt "$SUPPORT"
check "2: Subject tagged" subject_is "$got" \
    "[ESCALATED: review-threat] Re: Wrong size, order 5521"
check "2: milter log: review-threat:2/2, rerouted" \
    logged "$q2" "categories=review-threat signals=review-threat:2/2 channel=shop route=reroute:$DOMESTIC .*action=reroute"

# 3. neutral, after the escalation: a follow-up
send "3: sent and delivered" "$M/3.eml"
q3=$QID
check "3: rerouted to $DOMESTIC, not at $SUPPORT" \
    lands hist-3@customer.example "$DOMESTIC" 1
got=$(copies "$DOMESTIC" hist-3@customer.example | tail -n 1)
check "3: X-Escalation starts with followup" header_starts "$got" X-Escalation followup
check "3: X-Escalation names the case (review-threat)" \
    header_is "$got" X-Escalation "followup, review-threat"
check "3: X-Escalation-Reason: follow-up of an escalated case" \
    header_starts "$got" X-Escalation-Reason "follow-up of an escalated case (review-threat)"
check "3: no review-threat of its own" \
    lacks "$got" "^X-Escalation-Signals:.*review-threat"
check "3: milter log: followup, rerouted" \
    logged "$q3" "categories=- .*route=reroute:$DOMESTIC .*followup=yes .*action=reroute"

# 4. message 2 again (a retry): the same Message-ID counts once
send "4: message 2 sent again and delivered" "$M/2.eml"
q4=$QID
check "4: the second copy of message 2 at $DOMESTIC" \
    lands hist-2@customer.example "$DOMESTIC" 2
got=$(copies "$DOMESTIC" hist-2@customer.example | tail -n 1)
check "4: still review-threat=2/2, not 3/2" \
    header_is "$got" X-Escalation-Signals review-threat=2/2
check "4: X-Escalation-Reason still says 2nd" \
    header_starts "$got" X-Escalation-Reason "review-threat (2nd "
check "4: milter log: review-threat:2/2" \
    logged "$q4" 'signals=review-threat:2/2 '

# The store, read while the milter runs.
"$MILTER_BIN" --history "$CUSTOMER" -c "$CONF" >"$PF_DIR/history.json" 2>&1
check "--history: two review-threat records (message 2 once), one stalled" \
    python3 - "$PF_DIR/history.json" "$CUSTOMER" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print("not JSON: " + open(sys.argv[1]).read()[:300])
    sys.exit(1)
cats = [r.get("category") for r in d["records"]]
ok = (d["customer"] == sys.argv[2] and cats.count("review-threat") == 2
      and cats.count("stalled") == 1)
print(d if not ok else "")
sys.exit(0 if ok else 1)
EOF
check "--history: no message text or Message-ID" \
    lacks "$PF_DIR/history.json" jacket "wrong size" "hist-[0-9]@"
check "no message was judged without its history" \
    lacks "$MS_LOG" "history=unavailable"
check "milter still running" ms_running
finish
