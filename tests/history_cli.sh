#!/bin/sh
# history_cli.sh - the conversation history from the command line, with
# a SQLite store that persists between separate -t runs:
#
#   - a thread of review threats from one customer counts across runs
#     (1/2, then 2/2 fired with "2nd" in the reason, then 3/2)
#   - the same Message-ID sent again never counts twice
#   - a neutral message after an escalation is a sticky "followup"
#   - --now: 31 days later the window and the stickiness have expired
#   - -S memory: (a fresh store per run) and -S none ("history": null)
#     override the configured store and leave it alone
#   - --history ADDRESS: valid JSON, the normalised address as key, no
#     message text; --forget ADDRESS erases, the next message starts at 0
#   - history.key_secret_file: the stored key is an HMAC-SHA256 of the
#     address (checked against python's hmac), no "@" in the database;
#     a UTF-8 address gives valid JSON too
#   - an unopenable, corrupt or unreachable store (SQLite, Redis) makes
#     -n and -t fail loudly
#
# Each -t verdict is flattened to KEY=VALUE lines (signals.CAT.count=2,
# hdr.NAME=VALUE, escalate=true) and compared with a table of
# expectations: KEY=VALUE (exact line), KEY~TEXT (value contains TEXT),
# !KEY (no such key).  Prints "history-cli: N passed, N failed".

# check() evaluates its single-quoted expression later; the background
# sections count in a subshell and hand their counts back through files.
# shellcheck disable=SC2016,SC2030,SC2031

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/em-hcli.XXXXXX")
bgpids=
cleanup() {
	# shellcheck disable=SC2086 # a list of PIDs
	[ -n "$bgpids" ] && kill $bgpids 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

for tool in python3 sqlite3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "# $tool not found: skipping the history command-line tests"
		echo "history-cli: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
done

# The clock of the thread: 2024-03-04 10:00 UTC, then hours and days on.
T0=1709546400
HOUR=3600
DAY=86400
ADDR=pat.quill@example.com
# Words of the messages that must never reach the store.
SECRET_WORD=marmalade

# flat FILE: the first JSON line of FILE as KEY=VALUE lines; exit 1 when
# it is not a JSON object.
flat() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        d = json.loads(f.readline())
    assert isinstance(d, dict)
except Exception as e:
    print("not a JSON verdict: %s" % e, file=sys.stderr)
    sys.exit(1)
def out(path, v):
    if isinstance(v, dict):
        for k, x in v.items():
            out(path + [k], x)
    else:
        print(".".join(path) + "=" + (v if isinstance(v, str) else json.dumps(v)))
for k, v in d.items():
    if k == "headers":
        for name, value in v:
            print("hdr." + name + "=" + value)
    else:
        out([k], v)
EOF
}

# keyline KEY FILE: the values of KEY in a flattened verdict.
keyline() {
	awk -v k="$1=" 'index($0, k) == 1 { print substr($0, length(k) + 1) }' "$2"
}

# expect FILE LABEL SPEC...: one check per SPEC against FILE's verdict;
# a failed one shows what the verdict had instead.
expect() {
	ef=$1
	el=$2
	shift 2
	if ! flat "$ef" >"$ef.flat" 2>"$ef.err"; then
		check "$el: a JSON verdict ($(head -c 200 "$ef" "$ef.err" | tr '\n' ' '))" false
		return
	fi
	for spec in "$@"; do
		before=$fail
		case $spec in
		!*)
			key=${spec#!}
			check "$el: no $key" '[ -z "$(keyline "$key" "$ef.flat")" ]'
			;;
		*~*)
			key=${spec%%~*}
			want=${spec#*~}
			check "$el: $key contains '$want'" \
			    'keyline "$key" "$ef.flat" | grep -q -F -- "$want"'
			;;
		*)
			key=${spec%%=*}
			check "$el: $spec" 'grep -q -x -F -- "$spec" "$ef.flat"'
			;;
		esac
		if [ "$fail" -gt "$before" ]; then
			echo "#   got $key=$(keyline "$key" "$ef.flat" | head -n 3 | tr '\n' ' ')"
		fi
	done
}

# run NOW NAME... [-- ARGS...]: one -t process for $tmp/NAME.eml...
# at Unix time NOW; each verdict in $tmp/NAME.out, stderr in
# $tmp/NAME.err (of the first NAME), exit status in $rc.
run() {
	rnow=$1
	shift
	rfiles=
	rnames=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		rfiles="$rfiles $tmp/$1.eml"
		rnames="$rnames $1"
		shift
	done
	[ $# -gt 0 ] && shift
	rfirst=${rnames# }
	rfirst=${rfirst%% *}
	# shellcheck disable=SC2086 # lists of paths without blanks
	"$bin" -t -c "$tmp/conf.yaml" --now "$rnow" "$@" $rfiles \
	    >"$tmp/$rfirst.all" 2>"$tmp/$rfirst.err"
	rc=$?
	rline=0
	for rn in $rnames; do
		rline=$((rline + 1))
		sed -n "${rline}p" "$tmp/$rfirst.all" >"$tmp/$rn.out"
	done
}

# msg NAME MESSAGE-ID SUBJECT BODY: writes $tmp/NAME.eml from the customer.
msg() {
	cat >"$tmp/$1.eml" <<EOF
From: Pat Quill <Pat.Quill@Example.COM>
To: support@shop.example
Subject: $3
Message-ID: <$2>
Date: Mon, 04 Mar 2024 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

$4
EOF
}

# records FILE [CATEGORY]: how many records a --history output lists
# (all, escalation marks included, or those of CATEGORY); "bad" when it
# is not {"customer": ..., "records": [...]}.
records() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"customer", "records"} and isinstance(d["records"], list)
print(len(d["records"]) if sys.argv[2] == "" else
      sum(1 for r in d["records"] if r.get("category") == sys.argv[2]))
' "$1" "${2:-}" 2>/dev/null || echo bad
}

msg m1 hc-1@example.com "Broken kettle" \
    "My $SECRET_WORD-coloured kettle arrived cracked. If this is not fixed I will leave a 1-star review."
msg m2 hc-2@example.com "Re: Broken kettle" \
    "Still nothing about the $SECRET_WORD kettle. I will post a 1-star review today."
cp "$tmp/m2.eml" "$tmp/m2-again.eml"
msg m3 hc-3@example.com "Re: Broken kettle" \
    "Third mail. Expect a 1-star review on every site."
msg m4 hc-4@example.com "Re: Broken kettle" \
    "Hello, is there an update on the exchange?"
msg m5 hc-5@example.com "Another kettle" \
    "The new kettle leaks as well. I will leave a 1-star review."
msg m6 hc-6@example.com "Re: Another kettle" \
    "Nobody answered. I will post a 1-star review."

cat >"$tmp/conf.yaml" <<EOC
rules: [$top/rules/default.yaml]
history: {store: "sqlite:$tmp/h.db"}
EOC

# hist FILE [CONF [ARGS...]]: --history $ADDR into FILE; status in $rc.
hist() {
	hf=$1
	hc=${2:-$tmp/conf.yaml}
	shift
	[ $# -gt 0 ] && shift
	"$bin" --history "$ADDR" -c "$hc" "$@" >"$hf" 2>"$hf.err"
	rc=$?
}

# Each -t, -n, --history is a process that compiles the rules (about
# 2 s), so the parts that share no store run side by side: keys and
# broken in the background, the thread in the foreground.

# --- the thread, one process per step, one SQLite file -----------------
thread() {
	"$bin" -n -c "$tmp/conf.yaml" >"$tmp/n.out" 2>&1
	rc=$?
	check "-n with a SQLite store: exit 0, names the backend" \
	    '[ $rc -eq 0 ] && grep -q "^history: sqlite$" "$tmp/n.out"'

	run $T0 m1
	check "m1: exit 0" '[ $rc -eq 0 ]'
	expect "$tmp/m1.out" "m1 (1st threat)" escalate=false followup=false \
	    history=used signals.review-threat.count=1 \
	    signals.review-threat.message_count=1 \
	    signals.review-threat.history_count=0 \
	    signals.review-threat.fired=false \
	    hdr.X-Escalation-Signals=review-threat=1/2 \
	    '!hdr.X-Escalation' '!hdr.X-Escalation-History'
	check "the store file exists after the first run" '[ -s "$tmp/h.db" ]'

	run $((T0 + HOUR)) m2
	check "m2: exit 0" '[ $rc -eq 0 ]'
	expect "$tmp/m2.out" "m2 (2nd threat, next run)" escalate=true \
	    followup=false history=used 'categories=["review-threat"]' \
	    signals.review-threat.count=2 \
	    signals.review-threat.message_count=1 \
	    signals.review-threat.history_count=1 \
	    signals.review-threat.fired=true hdr.X-Escalation=review-threat \
	    hdr.X-Escalation-Signals=review-threat=2/2 \
	    'hdr.X-Escalation-Reason~review-threat (2nd ' \
	    'subject=[ESCALATED: review-threat] Re: Broken kettle'

	# the same message again (a retry, a second MX), then the 3rd
	# threat and a neutral follow-up, in one more run
	run $((T0 + 2 * HOUR)) m2-again m3 m4
	check "m2 again, m3, m4: exit 0" '[ $rc -eq 0 ]'
	expect "$tmp/m2-again.out" "m2 again (same Message-ID)" \
	    signals.review-threat.count=2 signals.review-threat.history_count=1 \
	    'hdr.X-Escalation-Reason~(2nd '
	expect "$tmp/m3.out" "m3 (3rd threat)" escalate=true followup=false \
	    signals.review-threat.count=3 signals.review-threat.history_count=2 \
	    hdr.X-Escalation=review-threat \
	    hdr.X-Escalation-Signals=review-threat=3/2 \
	    'hdr.X-Escalation-Reason~(3rd '
	# sticky: a neutral message after the escalation is escalated too
	expect "$tmp/m4.out" "m4 (neutral, after the escalation)" \
	    escalate=true followup=true 'categories=[]' \
	    'hdr.X-Escalation~followup' 'hdr.X-Escalation~review-threat' \
	    'hdr.X-Escalation-Reason~follow-up of an escalated case' \
	    '!signals.review-threat.count'

	hist "$tmp/hist.out"
	check "--history: exit 0" '[ $rc -eq 0 ]'
	check "--history: {customer, records} JSON" \
	    '[ "$(records "$tmp/hist.out")" != bad ]'
	check "--history: three review-threat records, the repeated Message-ID once" \
	    '[ "$(records "$tmp/hist.out" review-threat)" = 3 ]'
	check "--history: the customer key is the normalised address" \
	    'python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))[\"customer\"] != sys.argv[2])" "$tmp/hist.out" "$ADDR"'
	check "--history: no message text ('$SECRET_WORD', the subject)" \
	    '! grep -q -i -e "$SECRET_WORD" -e "kettle" "$tmp/hist.out"'
	check "--history: no Message-ID in clear" \
	    '! grep -q "hc-[0-9]@" "$tmp/hist.out"'
	sqlite3 "$tmp/h.db" .dump >"$tmp/dump.sql" 2>&1
	check "the database holds no message text or Message-ID" \
	    '[ -s "$tmp/dump.sql" ] && ! grep -q -i -e "$SECRET_WORD" -e kettle -e "hc-[0-9]@" "$tmp/dump.sql"'

	# --- the store can be overridden: memory: is fresh, none is none
	later=$((T0 + 2 * HOUR + 31 * DAY))
	run $later m5 m6 -- -S memory:
	expect "$tmp/m5.out" "-S memory: m5 (fresh store)" history=used \
	    signals.review-threat.count=1 signals.review-threat.history_count=0
	expect "$tmp/m6.out" "-S memory: m6 after m5 in the same run" \
	    escalate=true signals.review-threat.count=2 \
	    signals.review-threat.history_count=1
	run $T0 m2 -- -S none
	expect "$tmp/m2.out" "-S none: m2" history=null escalate=false \
	    signals.review-threat.count=1 signals.review-threat.history_count=0 \
	    '!hdr.X-Escalation-History'
	hist "$tmp/hist-after.out"
	check "-S memory: and -S none left the SQLite store as it was" \
	    'cmp -s "$tmp/hist.out" "$tmp/hist-after.out"'

	# --- the window: 31 days after the thread, nothing counts
	run $later m5
	expect "$tmp/m5.out" "m5 (threat 31 days later)" escalate=false \
	    followup=false history=used signals.review-threat.count=1 \
	    signals.review-threat.history_count=0 '!hdr.X-Escalation'

	# --- forget (the address as the customer wrote it)
	n=$(($(records "$tmp/hist.out") + 1))
	"$bin" --forget "Pat.Quill@Example.COM" -c "$tmp/conf.yaml" \
	    >"$tmp/forget.out" 2>&1
	rc=$?
	check "--forget: exit 0, 'Pat.Quill@Example.COM: $n records erased'" \
	    '[ $rc -eq 0 ] && [ "$(cat "$tmp/forget.out")" = "Pat.Quill@Example.COM: $n records erased" ]'
	hist "$tmp/hist-forgot.out"
	check "--history after --forget: no records" \
	    '[ "$(records "$tmp/hist-forgot.out")" = 0 ]'
	run $((later + 60)) m6
	expect "$tmp/m6.out" "m6 after --forget (m5's threat is gone)" \
	    escalate=false signals.review-threat.count=1 \
	    signals.review-threat.history_count=0
}

# --- customer keys: keyed hashes, addresses beyond ASCII -----------------
keys() {
	printf 'k3yed-h1st0ry-s3cret-0123456789a\n' >"$tmp/secret"
	cat >"$tmp/keyed.yaml" <<EOC
rules: [$top/rules/default.yaml]
history:
  store: "sqlite:$tmp/k.db"
  key_secret_file: $tmp/secret
EOC
	"$bin" -t -c "$tmp/keyed.yaml" --now $T0 "$tmp/m1.eml" \
	    >"$tmp/k1.out" 2>&1
	"$bin" -t -c "$tmp/keyed.yaml" --now $((T0 + HOUR)) "$tmp/m2.eml" \
	    >"$tmp/k2.out" 2>&1
	expect "$tmp/k2.out" "keyed: m2 after m1 (separate runs)" \
	    escalate=true signals.review-threat.count=2 \
	    signals.review-threat.history_count=1
	hist "$tmp/kh.out" "$tmp/keyed.yaml"
	want=$(python3 -c 'import hmac, hashlib, sys
print(hmac.new(open(sys.argv[1], "rb").read().strip(), sys.argv[2].encode(),
               hashlib.sha256).hexdigest())' "$tmp/secret" "$ADDR")
	check "keyed --history: customer is HMAC-SHA256(secret, address)" \
	    'python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))[\"customer\"] != sys.argv[2])" "$tmp/kh.out" "$want"'
	check "keyed --history: 64 hex digits, two records, no '@'" \
	    'echo "$want" | grep -q -x "[0-9a-f]\{64\}" && [ "$(records "$tmp/kh.out" review-threat)" = 2 ] && ! grep -q @ "$tmp/kh.out"'
	sqlite3 "$tmp/k.db" .dump >"$tmp/kdump.sql" 2>&1
	check "keyed: the database has the hash and no '@' at all" \
	    'grep -q "$want" "$tmp/kdump.sql" && ! grep -q @ "$tmp/kdump.sql"'
	"$bin" --forget "$ADDR" -c "$tmp/keyed.yaml" >"$tmp/kf.out" 2>&1
	check "keyed --forget by address: 3 records erased (2 + the mark)" \
	    '[ "$(cat "$tmp/kf.out")" = "$ADDR: 3 records erased" ]'
	printf 'short\n' >"$tmp/short"
	sed "s|$tmp/secret|$tmp/short|" "$tmp/keyed.yaml" >"$tmp/short.yaml"
	"$bin" -n -c "$tmp/short.yaml" >"$tmp/short.out" 2>&1
	rc=$?
	check "a secret under 16 characters: exit 78, file:line:col" \
	    '[ $rc -eq 78 ] && grep -q "^$tmp/short.yaml:[0-9]*:[0-9]*: key_secret_file: the secret must be at least 16" "$tmp/short.out"'

	# an internationalised address (SMTPUTF8): still valid JSON
	"$bin" --history "José.Núñez@Example.com" -c "$tmp/conf.yaml" \
	    -S memory: >"$tmp/utf8.out" 2>&1
	before=$fail
	check "--history of a UTF-8 address: valid JSON, the address as key" \
	    'python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1], encoding=\"utf-8\"))[\"customer\"] != sys.argv[2])" "$tmp/utf8.out" "josé.núñez@example.com" 2>/dev/null'
	[ "$fail" -gt "$before" ] &&
	    printf '#   got: %s\n' "$(head -c 100 "$tmp/utf8.out")"
}

# --- stores that cannot be used: offline modes fail loudly ---------------
broken() {
	bad=sqlite:/nonexistent/dir/h.db
	"$bin" -n -c "$tmp/conf.yaml" -S $bad >"$tmp/bad.out" 2>&1
	rc=$?
	check "-n -S $bad: non-zero exit ($rc), the reason named" \
	    '[ $rc -ne 0 ] && grep -q "/nonexistent/dir" "$tmp/bad.out"'
	cp "$tmp/m1.eml" "$tmp/b1.eml"
	run $T0 b1 -- -S $bad
	check "-t -S $bad: non-zero exit ($rc), no verdict printed" \
	    '[ $rc -ne 0 ] && [ ! -s "$tmp/b1.all" ] && grep -q "/nonexistent/dir" "$tmp/b1.err"'
	hist "$tmp/bad.out" "$tmp/conf.yaml" -S $bad
	check "--history -S $bad: non-zero exit ($rc)" '[ $rc -ne 0 ]'

	# garbage over the whole file
	head -c 8192 /dev/urandom >"$tmp/garbage.db"
	run $T0 b1 -- -S "sqlite:$tmp/garbage.db"
	check "-t on a file of garbage: non-zero exit ($rc), clear message" \
	    '[ $rc -ne 0 ] && grep -q -i "not a database\|malformed\|corrupt" "$tmp/b1.err"'
	check "-t on a file of garbage: no verdict printed" \
	    '[ ! -s "$tmp/b1.all" ]'

	# garbage over every page but the first: the file opens, its data
	# is gone
	cp "$tmp/m2.eml" "$tmp/b2.eml"
	run $T0 b1 -- -S "sqlite:$tmp/c.db"
	ps=$(sqlite3 "$tmp/c.db" 'PRAGMA page_size')
	size=$(wc -c <"$tmp/c.db")
	head -c $((size - ps)) /dev/urandom |
	    dd of="$tmp/c.db" bs="$ps" seek=1 conv=notrunc 2>/dev/null
	check "the data pages were overwritten (page size $ps, $size bytes)" \
	    '[ "$(wc -c <"$tmp/c.db")" -eq "$size" ] && [ "$size" -gt "$ps" ]'
	run $((T0 + HOUR)) b2 -- -S "sqlite:$tmp/c.db"
	check "-t on a store with corrupt data pages: non-zero exit (got $rc; stdout: $(head -c 100 "$tmp/b2.all"))" \
	    '[ $rc -ne 0 ]'
	check "-t on a store with corrupt data pages: the reason on stderr" \
	    'grep -q -i "malformed\|corrupt\|not a database" "$tmp/b2.err"'

	# a Redis server that is not there (a free port): as loud as SQLite
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$bin" -n -c "$tmp/conf.yaml" -S "redis://127.0.0.1:$port/0" \
	    >"$tmp/r.out" 2>&1
	rc=$?
	check "-n -S redis://127.0.0.1:$port/0 (nothing listens): non-zero exit (got $rc)" \
	    '[ $rc -ne 0 ]'
	run $T0 b1 -- -S "redis://127.0.0.1:$port/0"
	check "-t -S redis://127.0.0.1:$port/0 (nothing listens): non-zero exit (got $rc; stdout: $(head -c 100 "$tmp/b1.all"))" \
	    '[ $rc -ne 0 ]'

	"$bin" -t -c "$tmp/conf.yaml" --now yesterday "$tmp/m1.eml" \
	    >"$tmp/u.out" 2>&1
	check "--now yesterday: exit 64" '[ $? -eq 64 ]'
	"$bin" --history "$ADDR" --forget "$ADDR" -c "$tmp/conf.yaml" \
	    >"$tmp/u.out" 2>&1
	check "--history with --forget: exit 64" '[ $? -eq 64 ]'
}

# background SECTION: runs the function in a subshell; its report and
# counts are added by join SECTION.
background() {
	(
		trap - EXIT INT TERM
		pass=0
		fail=0
		"$1"
		echo "$pass $fail" >"$tmp/$1.count"
	) >"$tmp/$1.log" 2>&1 &
	bgpids="$bgpids $!"
}
join() {
	cat "$tmp/$1.log"
	if read -r jp jf <"$tmp/$1.count" 2>/dev/null; then
		pass=$((pass + jp))
		fail=$((fail + jf))
	else
		check "section $1 ran to the end" false
	fi
}

background keys
background broken
thread
wait
bgpids=
join keys
join broken
summary history-cli
