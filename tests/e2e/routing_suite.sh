# shellcheck shell=bash
#
# tests/e2e/routing_suite.sh - end-to-end checks of routing (reroute,
# copy, hold, tag, trust, loop guard, shadow mode) that do not depend on
# the MTA.  Source it from bash, define the hooks below, start the MTA
# and the milter with the config printed by rs_routing_yaml, then call
# routing_suite.
#
# Every message is a file in tests/e2e/msgs/routing/ with its own
# Message-ID; a delivered copy is found by that Message-ID in the
# mailboxes of RS_MAILBOXES (so a mailbox may hold other mail, but each
# message of this suite must be sent once per set of mailboxes).  Checks
# are reported through the caller's check(), one "ok"/"not ok" line each.
#
# Exports:
#   RS_MAILBOXES             every address this suite sends to or routes
#                            to; each needs its own mailbox (no catch-all)
#   rs_routing_yaml MODE     the "routing:" and "channels:" config sections
#                            (YAML lines) for MODE enforce or shadow
#   routing_suite            run all checks (ends with the milter in
#                            shadow mode)
#
# Hooks the caller defines (all run in the caller's shell, output is
# kept for the report of a failing check):
#   mta_send FROM "RCPT1 RCPT2..." FILE
#                            submit FILE (LF line ends) by SMTP with that
#                            envelope; status 0 when the MTA accepted it
#   mta_wait                 return when the MTA has finished delivering
#                            everything sent so far (held mail does not
#                            count as waiting); non-zero on timeout
#   mta_mailbox ADDR         print the paths of the messages delivered to
#                            ADDR, one per line (nothing if none)
#   mta_held                 print one line per message in the MTA's hold
#                            queue (quarantine); the first word of a line
#                            names it
#   mta_held_message ID      optional: print the held message ID (header
#                            and body, LF line ends) that mta_held names
#                            ID (its first word); enables two more checks
#   milter_restart MODE      restart the milter with the routing config
#                            of rs_routing_yaml MODE (enforce or shadow)
#   check DESC CMD [ARGS...] run CMD, report ok/not ok, show its output
#                            on failure (as in test_postfix.sh)
#
# Optional settings: MILTER_BIN and RS_CONF (the running milter's config
# file): when set, a failing delivery check also prints what
# "escalation-milter -t" decides for the same envelope.  RS_TMPDIR: where
# the suite keeps the hooks' output while it runs (default $TMPDIR or
# /tmp; give it the harness's temporary directory so that an interrupted
# run leaves nothing behind).

RS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RS_MSGS=$RS_LIB_DIR/msgs/routing

RS_SHOPIFY_Q=shopify-escalations@domestic.example
RS_AMAZON_Q=amazon-escalations@domestic.example
RS_OTHER_Q=escalations@domestic.example
RS_SUPPORT=support@shop.example
RS_ORDERS=orders@shop.example
RS_MANAGER=manager@shop.example
RS_ARCHIVE=archive@shop.example
RS_SELLER=seller@marketplace.amazon.com
RS_MAILBOXES="$RS_SUPPORT $RS_ORDERS $RS_MANAGER $RS_ARCHIVE $RS_SELLER $RS_SHOPIFY_Q $RS_AMAZON_Q $RS_OTHER_Q"

RS_OUT=		# output of the last rs_send (mta_send and mta_wait)
RS_SEND_OK=	# 1 when the last rs_send was accepted and finished

# Prints the routing part of the milter config for MODE.
rs_routing_yaml() {
	cat <<EOF
routing:
  mode: $1
  default_action: reroute
  actions: {abuse: copy, review-threat: tag, legal: hold}
  trusted_senders: [domestic.example, lead@shop.example]
  trusted_networks: [10.0.0.0/8]
  extra_headers: [{name: X-Helpdesk-Queue, value: "escalations-{channel}"}]
channels:
  - {name: amazon, senders: [marketplace.amazon.com], domestic: $RS_AMAZON_Q, owner: Dana, thresholds: {phone-demand: 1}}
  - {name: shopify, recipients: [$RS_SUPPORT], domestic: $RS_SHOPIFY_Q, owner: Sam}
  - {name: other, default: true, domestic: $RS_OTHER_Q}
EOF
}

rs_mailcheck() {
	python3 "$RS_LIB_DIR/mailcheck.py" "$@"
}

# The Message-ID field of FILE, as written ("<...>"); our messages
# have it on one line.
rs_msgid() {
	sed -n '/^$/q; s/^[Mm][Ee][Ss][Ss][Aa][Gg][Ee]-[Ii][Dd]:[[:space:]]*//p' "$1" |
	    head -n 1
}

# Paths of the copies of FILE's message delivered to ADDR.
rs_copies() {
	local addr=$1 id p
	id=$(rs_msgid "$2")
	[ -n "$id" ] || return 0
	mta_mailbox "$addr" | while IFS= read -r p; do
		[ -n "$p" ] || continue
		if grep -q -i -F -x -e "Message-ID: $id" "$p" 2>/dev/null; then
			printf '%s\n' "$p"
		fi
	done
}

# The one copy of FILE at ADDR (the first if there are several).
rs_copy() {
	rs_copies "$2" "$1" | head -n 1
}

# Sends FILE and waits until the MTA is done; keeps what the hooks said
# in RS_OUT and the result in RS_SEND_OK (runs in this shell: hooks may
# keep state).
rs_send() {
	local from=$1 rcpts=$2 file=$3
	RS_SEND_OK=
	if mta_send "$from" "$rcpts" "$file" >"$RS_OUT" 2>&1; then
		if mta_wait >>"$RS_OUT" 2>&1; then
			RS_SEND_OK=1
		else
			echo "mta_wait failed after sending $(basename "$file")" >>"$RS_OUT"
		fi
	else
		echo "mta_send $from '$rcpts' $(basename "$file") failed" >>"$RS_OUT"
	fi
	RS_LAST_FROM=$from
	RS_LAST_RCPTS=$rcpts
	RS_LAST_FILE=$file
}

# check helper: the last rs_send was accepted and delivery finished.
rs_sent() {
	[ -n "$RS_SEND_OK" ] && return 0
	cat "$RS_OUT"
	return 1
}

# What -t decides for the last message sent (diagnostics only).
rs_explain() {
	local args=() r
	[ -n "${RS_CONF:-}" ] && [ -x "${MILTER_BIN:-}" ] || return 0
	for r in $RS_LAST_RCPTS; do
		args+=(--rcpt "$r")
	done
	echo "-t says:"
	"$MILTER_BIN" -t -c "$RS_CONF" --from "$RS_LAST_FROM" "${args[@]}" \
	    "$RS_LAST_FILE" 2>&1 | sed -n 's/.*\("route":[^}]*}\).*/  \1/p'
}

# rs_lands_only FILE [ADDR...]: exactly one copy of FILE's message in
# each ADDR's mailbox and none in any other mailbox of RS_MAILBOXES.
rs_lands_only() {
	local file=$1 a n want got="" bad=""
	shift
	for a in $RS_MAILBOXES; do
		n=$(rs_copies "$a" "$file" | wc -l)
		want=0
		case " $* " in
		*" $a "*) want=1 ;;
		esac
		[ "$n" -gt 0 ] && got="$got $a($n)"
		[ "$n" -eq "$want" ] || bad=1
	done
	[ -z "$bad" ] && return 0
	echo "$(rs_msgid "$file") delivered to:${got:- nobody}"
	echo "want one copy in: ${*:-no mailbox}"
	rs_explain
	return 1
}

# True when MSG names a delivered copy; else says there is none (the
# header checks below get "" when nothing was delivered).
rs_need() {
	[ -n "$1" ] && [ -f "$1" ] && return 0
	echo "no delivered copy to look at"
	return 1
}

# rs_compare same|untagged|body-same MSG ORIGINAL: mailcheck.py's
# comparisons of a delivered copy with the file sent.
rs_compare() {
	rs_need "$2" || return 1
	rs_mailcheck "$@"
}

# rs_header_is MSG NAME VALUE...: the NAME fields of MSG are exactly
# VALUE... (in this order).
rs_header_is() {
	local msg=$1 name=$2 have want
	rs_need "$1" || return 1
	shift 2
	have=$(rs_mailcheck header "$msg" "$name")
	want=$(printf '%s\n' "$@")
	[ "$#" -eq 0 ] && want=
	[ "$have" = "$want" ] && return 0
	echo "$name fields:"
	printf '%s\n' "${have:-(none)}" | sed 's/^/  /'
	echo "want:"
	printf '%s\n' "${want:-(none)}" | sed 's/^/  /'
	return 1
}

# rs_header_starts MSG NAME PREFIX: exactly one NAME field, starting
# with PREFIX.
rs_header_starts() {
	local v n
	rs_need "$1" || return 1
	n=$(rs_mailcheck count "$1" "$2")
	v=$(rs_mailcheck header "$1" "$2")
	if [ "$n" -eq 1 ]; then
		case $v in
		"$3"*) return 0 ;;
		esac
	fi
	echo "$n $2 field(s): ${v:-(none)}"
	echo "want one starting with: $3"
	return 1
}

# rs_header_has MSG NAME TEXT: some NAME field contains TEXT.
rs_header_has() {
	rs_need "$1" || return 1
	rs_mailcheck header "$1" "$2" | grep -q -F -e "$3" && return 0
	echo "no $2 field contains '$3'; $2: $(rs_mailcheck header "$1" "$2" | tr '\n' '|')"
	return 1
}

# rs_no_header MSG NAME: MSG has no NAME field (NAME* is a prefix).
rs_no_header() {
	local n
	rs_need "$1" || return 1
	n=$(rs_mailcheck count "$1" "$2")
	[ "$n" -eq 0 ] && return 0
	echo "$n $2 field(s):"
	rs_mailcheck header "$1" "$2" | sed 's/^/  /'
	return 1
}

# rs_original_rcpts MSG ADDR...: the X-Escalation-Original-Rcpt fields
# name exactly ADDR... (any order, each once).
rs_original_rcpts() {
	local msg=$1 have want
	rs_need "$1" || return 1
	shift
	have=$(rs_mailcheck header "$msg" X-Escalation-Original-Rcpt | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$have" = "$want" ] && return 0
	echo "X-Escalation-Original-Rcpt: $(printf '%s' "$have" | tr '\n' ' ')"
	echo "want: $*"
	return 1
}

# rs_keeps_fields MSG ORIGINAL: every X-Escalation* field of ORIGINAL is
# in MSG with the same value.
rs_keeps_fields() {
	local msg=$1 orig=$2 name v have bad=""
	rs_need "$1" || return 1
	for name in $(sed '/^$/q' "$orig" | grep -i -o -E '^X-Escalation[A-Za-z-]*:' |
	    tr -d : | sort -u); do
		have=$(rs_mailcheck header "$msg" "$name")
		while IFS= read -r v; do
			if ! printf '%s\n' "$have" | grep -q -F -x -e "$v"; then
				echo "$name: '$v' was sent; delivered: '${have//$'\n'/|}'"
				bad=1
			fi
		done < <(rs_mailcheck header "$orig" "$name")
	done
	[ -z "$bad" ]
}

# Held-queue lines (first words), sorted.
rs_held_ids() {
	mta_held 2>/dev/null | awk 'NF { print $1 }' | sort
}

rs_held_count_is() {
	local n
	n=$(rs_held_ids | wc -l)
	[ "$n" -eq "$1" ] && return 0
	echo "$n message(s) held, want $1:"
	mta_held 2>&1 | sed 's/^/  /'
	return 1
}

# rs_case NAME FROM "RCPTS" FILE: sends FILE, reports whether the MTA
# took it and finished; sets MSG to the message file.
rs_case() {
	MSG=$RS_MSGS/$4
	rs_send "$2" "$3" "$MSG"
	check "$1: MTA accepts $4 (from $2 to $3) and finishes" rs_sent
}

# ---------------------------------------------------------------------

rs_check_reroute() {
	local c
	rs_case "reroute" morgan.hale@customer.example "$RS_SUPPORT" reroute-chargeback.eml
	check "reroute: chargeback to support@ lands only in $RS_SHOPIFY_Q" \
	    rs_lands_only "$MSG" "$RS_SHOPIFY_Q"
	c=$(rs_copy "$MSG" "$RS_SHOPIFY_Q")
	check "reroute: X-Escalation-Route says reroute to the shopify queue" \
	    rs_header_starts "$c" X-Escalation-Route "reroute to $RS_SHOPIFY_Q; channel=shopify; owner=Sam"
	check "reroute: X-Escalation-Original-Rcpt: $RS_SUPPORT (once)" \
	    rs_header_is "$c" X-Escalation-Original-Rcpt "$RS_SUPPORT"
	check "reroute: extra header X-Helpdesk-Queue: escalations-shopify" \
	    rs_header_is "$c" X-Helpdesk-Queue escalations-shopify
	check "reroute: X-Escalation: chargeback" rs_header_is "$c" X-Escalation chargeback
	check "reroute: body delivered unchanged" rs_compare body-same "$c" "$MSG"
}

rs_check_channels() {
	local c
	rs_case "channel amazon" q8d3f1zk@marketplace.amazon.com "$RS_SELLER" amazon-phone.eml
	check "channel amazon: one call-me request (threshold 1) lands only in $RS_AMAZON_Q" \
	    rs_lands_only "$MSG" "$RS_AMAZON_Q"
	c=$(rs_copy "$MSG" "$RS_AMAZON_Q")
	check "channel amazon: X-Escalation-Route names channel=amazon, owner=Dana" \
	    rs_header_starts "$c" X-Escalation-Route "reroute to $RS_AMAZON_Q; channel=amazon; owner=Dana"
	check "channel amazon: X-Escalation-Signals phone-demand=1/1" \
	    rs_header_has "$c" X-Escalation-Signals "phone-demand=1/1"
	check "channel amazon: X-Escalation-Original-Rcpt: $RS_SELLER" \
	    rs_header_is "$c" X-Escalation-Original-Rcpt "$RS_SELLER"
	check "channel amazon: X-Helpdesk-Queue: escalations-amazon" \
	    rs_header_is "$c" X-Helpdesk-Queue escalations-amazon

	rs_case "channel shopify" robin.vale@customer.example "$RS_SUPPORT" shopify-phone.eml
	check "channel shopify: the same request lands only at $RS_SUPPORT" \
	    rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "channel shopify: X-Escalation-Signals phone-demand=1/3 (not escalated)" \
	    rs_header_has "$c" X-Escalation-Signals "phone-demand=1/3"
	check "channel shopify: no X-Escalation-Route field" \
	    rs_no_header "$c" X-Escalation-Route
	check "channel shopify: no X-Escalation field" rs_no_header "$c" X-Escalation
	check "channel shopify: no X-Escalation-Original-Rcpt field" \
	    rs_no_header "$c" X-Escalation-Original-Rcpt
}

rs_check_copy() {
	local c a
	rs_case "copy" casey@customer.example "$RS_SUPPORT" abuse-copy.eml
	check "copy: abuse lands in $RS_SUPPORT and $RS_SHOPIFY_Q" \
	    rs_lands_only "$MSG" "$RS_SUPPORT" "$RS_SHOPIFY_Q"
	for a in "$RS_SUPPORT" "$RS_SHOPIFY_Q"; do
		c=$(rs_copy "$MSG" "$a")
			check "copy: $a's copy says copy to the shopify queue" \
		    rs_header_starts "$c" X-Escalation-Route "copy to $RS_SHOPIFY_Q; channel=shopify"
	done
	check "copy: X-Helpdesk-Queue: escalations-shopify" \
	    rs_header_is "$c" X-Helpdesk-Queue escalations-shopify
}

rs_check_hold() {
	local before after id
	before=$(rs_held_ids)
	rs_case "hold" jordan.pike@customer.example "$RS_SUPPORT" legal-hold.eml
	check "hold: legal threat is in no mailbox" rs_lands_only "$MSG"
	after=$(rs_held_ids)
	check "hold: one more message in the MTA's hold queue" \
	    rs_held_count_is "$(($(printf '%s' "$before" | grep -c .) + 1))"
	id=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep . | head -n 1)
	if declare -F mta_held_message >/dev/null; then
		local f=""
		if [ -n "$id" ]; then
			f=$RS_OUT.held
			mta_held_message "$id" >"$f" 2>&1
		fi
		check "hold: the new held message is the legal threat" \
		    rs_header_is "$f" Message-ID "$(rs_msgid "$MSG")"
		check "hold: held message says hold in the MTA's hold queue" \
		    rs_header_starts "$f" X-Escalation-Route "hold in the MTA's hold queue; channel=shopify"
	fi
}

rs_check_neutral() {
	local c
	rs_case "no escalation" alex.moreau@customer.example "$RS_SUPPORT" neutral.eml
	check "no escalation: lands only at $RS_SUPPORT" rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "no escalation: byte for byte as sent (apart from trace fields)" \
	    rs_compare same "$c" "$MSG"
	check "no escalation: no X-Escalation* field" rs_no_header "$c" 'X-Escalation*'
}

rs_check_forged() {
	local c
	rs_case "forged, neutral" sam.okafor@customer.example "$RS_SUPPORT" forged-neutral.eml
	check "forged, neutral: lands only at $RS_SUPPORT" rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "forged, neutral: no X-Escalation* field survives" rs_no_header "$c" 'X-Escalation*'
	check "forged, neutral: everything else unchanged" rs_compare untagged "$c" "$MSG"

	rs_case "forged, escalated" sam.okafor@customer.example "$RS_SUPPORT" forged-escalated.eml
	check "forged, escalated: rerouted, lands only in $RS_SHOPIFY_Q" \
	    rs_lands_only "$MSG" "$RS_SHOPIFY_Q"
	c=$(rs_copy "$MSG" "$RS_SHOPIFY_Q")
	check "forged, escalated: exactly one X-Escalation field, ours (chargeback)" \
	    rs_header_is "$c" X-Escalation chargeback
	check "forged, escalated: exactly one X-Escalation-Route, ours" \
	    rs_header_starts "$c" X-Escalation-Route "reroute to $RS_SHOPIFY_Q; channel=shopify"
}

rs_check_trusted() {
	local c
	rs_case "trusted sender" lead@shop.example "$RS_SUPPORT" trusted-lead.eml
	check "trusted sender: lead@shop.example's escalating mail is not rerouted (only at $RS_SUPPORT)" \
	    rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "trusted sender: keeps its own X-Escalation* fields" rs_keeps_fields "$c" "$MSG"

	rs_case "trusted domain" agent@domestic.example "$RS_SUPPORT" trusted-domain.eml
	check "trusted domain: domestic.example's escalating mail is not rerouted (only at $RS_SUPPORT)" \
	    rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "trusted domain: X-Escalation-Route says not routed (trusted)" \
	    rs_header_starts "$c" X-Escalation-Route "not routed (trusted): reroute to $RS_SHOPIFY_Q"
}

rs_check_multi() {
	local c
	rs_case "3 recipients" nora@customer.example "$RS_SUPPORT $RS_ORDERS $RS_MANAGER" multi-reroute.eml
	check "3 recipients: reroute lands only in $RS_SHOPIFY_Q" rs_lands_only "$MSG" "$RS_SHOPIFY_Q"
	c=$(rs_copy "$MSG" "$RS_SHOPIFY_Q")
	check "3 recipients: three X-Escalation-Original-Rcpt fields, one per recipient" \
	    rs_original_rcpts "$c" "$RS_SUPPORT" "$RS_ORDERS" "$RS_MANAGER"

	rs_case "2 recipients" quinn@customer.example "$RS_SUPPORT $RS_ORDERS" multi-copy.eml
	check "2 recipients: copy reaches both and $RS_SHOPIFY_Q" \
	    rs_lands_only "$MSG" "$RS_SUPPORT" "$RS_ORDERS" "$RS_SHOPIFY_Q"
	c=$(rs_copy "$MSG" "$RS_SHOPIFY_Q")
	check "2 recipients: X-Escalation-Original-Rcpt names both" \
	    rs_original_rcpts "$c" "$RS_SUPPORT" "$RS_ORDERS"
}

# To: says support@ (the shopify channel), the envelope says orders@ and
# archive@: the envelope decides channel, removed and kept mailboxes.
rs_check_envelope() {
	local c
	rs_case "envelope != To:, reroute" ellis@customer.example "$RS_ORDERS $RS_ARCHIVE" envelope-reroute.eml
	check "envelope != To:, reroute: lands only in $RS_OTHER_Q (channel by envelope), not at To: or the envelope recipients" \
	    rs_lands_only "$MSG" "$RS_OTHER_Q"
	c=$(rs_copy "$MSG" "$RS_OTHER_Q")
	check "envelope != To:, reroute: Original-Rcpt lists the envelope recipients" \
	    rs_original_rcpts "$c" "$RS_ORDERS" "$RS_ARCHIVE"
	check "envelope != To:, reroute: X-Escalation-Route names channel=other" \
	    rs_header_starts "$c" X-Escalation-Route "reroute to $RS_OTHER_Q; channel=other"

	rs_case "envelope != To:, copy" ellis@customer.example "$RS_ORDERS $RS_ARCHIVE" envelope-copy.eml
	check "envelope != To:, copy: lands at the envelope recipients and $RS_OTHER_Q, not at To:" \
	    rs_lands_only "$MSG" "$RS_ORDERS" "$RS_ARCHIVE" "$RS_OTHER_Q"
	c=$(rs_copy "$MSG" "$RS_ARCHIVE")
	check "envelope != To:, copy: Original-Rcpt lists the envelope recipients" \
	    rs_original_rcpts "$c" "$RS_ORDERS" "$RS_ARCHIVE"
}

rs_check_loop() {
	local c
	rs_case "loop" harper@customer.example "$RS_SHOPIFY_Q" loop.eml
	check "loop: mail to $RS_SHOPIFY_Q is delivered there once, not rerouted to $RS_OTHER_Q" \
	    rs_lands_only "$MSG" "$RS_SHOPIFY_Q"
	c=$(rs_copy "$MSG" "$RS_SHOPIFY_Q")
	check "loop: X-Escalation-Route says not routed (loop)" \
	    rs_header_starts "$c" X-Escalation-Route "not routed (loop)"
	check "loop: no X-Escalation-Original-Rcpt (recipients unchanged)" \
	    rs_no_header "$c" X-Escalation-Original-Rcpt
}

rs_check_shadow() {
	local c held
	held=$(rs_held_ids | wc -l)
	RS_SEND_OK=
	if milter_restart shadow >"$RS_OUT" 2>&1; then
		RS_SEND_OK=1
	fi
	check "shadow: milter restarted with mode: shadow" rs_sent
	rs_case "shadow" morgan.hale@customer.example "$RS_SUPPORT" shadow-chargeback.eml
	check "shadow: escalated mail reaches only $RS_SUPPORT" rs_lands_only "$MSG" "$RS_SUPPORT"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "shadow: X-Escalation-Route starts 'shadow: would reroute to $RS_SHOPIFY_Q'" \
	    rs_header_starts "$c" X-Escalation-Route "shadow: would reroute to $RS_SHOPIFY_Q"
	check "shadow: X-Escalation: chargeback" rs_header_is "$c" X-Escalation chargeback
	check "shadow: no helpdesk header (it went to no queue)" rs_no_header "$c" X-Helpdesk-Queue

	rs_case "shadow, hold" jordan.pike@customer.example "$RS_SUPPORT" shadow-legal.eml
	check "shadow, hold: legal threat delivered to $RS_SUPPORT, not held" \
	    rs_lands_only "$MSG" "$RS_SUPPORT"
	check "shadow, hold: hold queue unchanged" rs_held_count_is "$held"
	c=$(rs_copy "$MSG" "$RS_SUPPORT")
	check "shadow, hold: X-Escalation-Route starts 'shadow: would hold'" \
	    rs_header_starts "$c" X-Escalation-Route "shadow: would hold"
}

# Runs every check.  Needs the hooks above and a milter running with
# rs_routing_yaml enforce.
routing_suite() {
	local f held0
	for f in mta_send mta_wait mta_mailbox mta_held milter_restart check; do
		if ! declare -F "$f" >/dev/null; then
			echo "routing_suite: hook $f is not defined" >&2
			return 1
		fi
	done
	RS_OUT=$(mktemp "${RS_TMPDIR:-${TMPDIR:-/tmp}}/escm-routing.XXXXXX") || return 1
	held0=$(rs_held_ids | wc -l)
	rs_check_reroute
	rs_check_channels
	rs_check_copy
	rs_check_hold
	rs_check_neutral
	rs_check_forged
	rs_check_trusted
	rs_check_multi
	rs_check_envelope
	rs_check_loop
	check "enforce: only the legal threat was held" rs_held_count_is "$((held0 + 1))"
	rs_check_shadow
	rm -f "$RS_OUT" "$RS_OUT.held"
}
