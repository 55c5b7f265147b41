#!/bin/bash
#
# scripts/demo.sh - "make demo": real customer e-mails through the real
# path, on this machine only.
#
# Starts escalation-milter on a unix socket and a private Postfix 3.7 on
# 127.0.0.1 (tests/e2e/postfix.sh: own config, queue and maildirs in a
# temporary directory; the system's Postfix is not touched), sends every
# demo/*.eml with swaks, waits for delivery and prints what each mailbox
# received: message -> categories -> subject as delivered.  Then stops
# everything it started and removes the directory (DEMO_KEEP=1 keeps it).
#
# Exits non-zero if something could not run, or if a message that should
# (or should not) be tagged was not (or was): the quoted reply and the
# tracking question must pass untagged.  Needs root for Postfix.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E bash "$0" "$@"
	fi
	echo "demo.sh: needs root to run a private Postfix" >&2
	exit 1
fi
export SRCDIR="$ROOT"
[ -n "${DEMO_KEEP:-}" ] && PF_KEEP=1
PF_MAILBOXES="support@shop.example seller@marketplace.amazon.com support@domestic.example shopify-escalations@domestic.example amazon-escalations@domestic.example"
# shellcheck source=tests/e2e/postfix.sh
. "$ROOT/tests/e2e/postfix.sh"

# file  envelope recipient  expected (tag = escalated, - = untouched)
# file, envelope recipient, expectation: - (untouched), tag (tagged,
# delivered as addressed), route (tagged and delivered elsewhere too)
DEMO="
01-tracking-question.eml support@shop.example -
02-review-threat.eml support@shop.example tag
03-lawyer-chargeback.eml support@shop.example route
04-abusive.eml support@shop.example route
05-manager-demand.eml seller@marketplace.amazon.com route
06-html-only.eml support@domestic.example tag
07-quoted-reply.eml support@shop.example -
"

T0=$(date +%s.%N)
for tool in swaks postfix python3; do
	command -v "$tool" >/dev/null || {
		echo "demo.sh: $tool missing: run 'make deps'" >&2
		exit 1
	}
done
[ -x "$MILTER_BIN" ] || {
	echo "demo.sh: $MILTER_BIN missing: run 'make'" >&2
	exit 1
}

pf_init || exit 1
CONF=$PF_DIR/milter.yaml
# Routing as a seller would set it up: the Shopify support address and
# Amazon's relay domain are channels with their own domestic queues;
# review threats are only tagged, abusive mail is copied, the rest is
# rerouted.
ms_write_conf "$CONF" 'socket_mode: "0660"' 'socket_group: postfix' \
    'routing: {actions: {review-threat: tag, abuse: copy}}' \
    'channels:' \
    '  - {name: amazon, senders: [marketplace.amazon.com], recipients: [marketplace.amazon.com], domestic: amazon-escalations@domestic.example, owner: Amazon lead, thresholds: {phone-demand: 1}}' \
    '  - {name: shopify, recipients: [support@shop.example], domestic: shopify-escalations@domestic.example, owner: Shopify lead}'
echo "demo: starting escalation-milter (unix:$PF_DIR/milter/milter.sock)"
ms_start "$CONF" || exit 1
pf_start || exit 1
echo "demo: private Postfix $(postconf -c "$PF_DIR/etc" -h mail_version) on 127.0.0.1:$PF_PORT, mail in $PF_DIR/mail (DEMO_KEEP=1 keeps it)"

rows=$PF_DIR/rows
: >"$rows"
sent=0
# Every delivered message file, in every mailbox.
all_delivered() {
	find "$PF_DIR/mail" -path '*/new/*' -type f 2>/dev/null | sort
}
while read -r file to expect; do
	[ -n "$file" ] || continue
	all_delivered >"$PF_DIR/before"
	if ! pf_send customer@customer.example "$to" "$ROOT/demo/$file"; then
		echo "demo: swaks could not send $file:" >&2
		tail -n 3 "$PF_LAST_SEND_LOG" >&2
		printf '%s\t%s\t%s\t%s\n' "$file" "$to" "$expect" "" >>"$rows"
		continue
	fi
	sent=$((sent + 1))
	pf_wait_delivered "$sent" 60 || true
	# the new files say where the message went: a path is
	# mail/DOMAIN/LOCALPART/new/FILE
	got=$(all_delivered | comm -13 "$PF_DIR/before" - | tr '\n' ' ')
	printf '%s\t%s\t%s\t%s\n' "$file" "$to" "$expect" "$got" >>"$rows"
done <<<"$DEMO"

python3 - "$rows" <<'EOF'
import sys
from email.header import decode_header, make_header

def fields(path):
    with open(path, "rb") as f:
        data = f.read()
    head = data.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    out, name = {}, None
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and name:
            out[name] += " " + line.strip()
        elif ":" in line:
            name, v = line.split(":", 1)
            name = name.strip().lower()
            out.setdefault(name, "")
            out[name] = v.strip() if not out[name] else out[name]
    return out

def shorten(s, n):
    return s if len(s) <= n else s[: n - 1] + "…"

def mailbox(path):
    parts = path.split("/")
    i = parts.index("new")
    return parts[i - 1] + "@" + parts[i - 2]

rows, bad = [], 0
for line in open(sys.argv[1], encoding="utf-8"):
    file, to, expect, got = line.rstrip("\n").split("\t")
    files = got.split()
    if not files:
        rows.append((file, to, "NOT DELIVERED", "", "", "!"))
        bad += 1
        continue
    h = fields(files[0])
    cats = h.get("x-escalation", "") or "-"
    subj = str(make_header(decode_header(h.get("subject", ""))))
    where = ", ".join(sorted(mailbox(f) for f in files))
    routed = where != to
    ok = (cats != "-") == (expect != "-") and routed == (expect == "route")
    bad += not ok
    rows.append((file, to, cats, where, subj, " " if ok else "!"))

head = ("message", "sent to", "categories", "delivered to")
w = [max(max(len(r[i]) for r in rows), len(head[i])) for i in range(4)]
print()
print("  " + "  ".join("%-*s" % (w[i], head[i]) for i in range(4)) + "  subject as delivered")
print("  " + "  ".join("-" * w[i] for i in range(4)) + "  " + "-" * 20)
for r in rows:
    print(r[5] + " " + "  ".join("%-*s" % (w[i], r[i]) for i in range(4)) + "  " + shorten(r[4], 70))
print()
if bad:
    print("demo: %d message(s) marked ! were not handled as expected" % bad)
sys.exit(1 if bad else 0)
EOF
rc=$?

echo "demo: milter log:"
sed 's/^/  /' "$MS_LOG"
t=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "demo: done in ${t}s; stopping the milter and Postfix"
exit $rc
