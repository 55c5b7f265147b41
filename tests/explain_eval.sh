#!/bin/sh
# explain_eval.sh - the two tools for judging detection by hand:
#
#   - -t --explain: the scanned text (quoted reply gone), every hit with
#     its byte offset and fate (counted, repeated, exclusion, excluded
#     by), counts against thresholds and the decision; refused without -t
#   - scripts/eval.py over a small labelled corpus whose figures are
#     worked out here by hand: true/false positives and negatives,
#     precision and recall, decisions, hard negatives, traps, a thread
#     run in order through the history store, -v details, --check
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"

cat > "$tmp/rules.yaml" <<'EOR'
categories:
  - id: abuse
    threshold: 2
    rules:
      - id: abuse.crap
        phrases: [crap]
    exclude:
      - id: abuse.not-crap
        phrases: ["not crap"]
  - id: legal
    threshold: 1
    rules:
      - id: legal.lawyer
        phrases: [lawyer]
EOR
printf 'rules: [rules.yaml]\n' > "$tmp/conf.yaml"

# msg FILE FROM MSGID BODY: a small CRLF message
msg() {
	printf 'From: %s\r\nTo: support@shop.example\r\nSubject: Help\r\nMessage-ID: <%s@example.com>\r\n\r\n%b\r\n' \
	    "$2" "$3" "$4" > "$1"
}

# ---- --explain ----
msg "$tmp/m.eml" a@example.com m1 'This is crap.\r\nIt is not crap at all? Crap!\r\n\r\nOn Mon, 3 Mar 2025, Support <s@shop.example> wrote:\r\n> ask your lawyer'
"$bin" -c "$tmp/conf.yaml" -S none -t --explain "$tmp/m.eml" > "$tmp/out" 2>&1
check "--explain: exit 0" '[ $? -eq 0 ]'
check "--explain: names the file" 'grep -q "^== $tmp/m.eml$" "$tmp/out"'
check "--explain: the scanned text, quote gone" \
    'grep -q "^       0 | help this is crap. it is not crap at all? crap!$" "$tmp/out" && ! grep -q lawyer "$tmp/out"'
check "--explain: a counted hit with offset and rule id" \
    'grep -Eq "^  @13 +abuse +abuse.crap +\"crap\" counted$" "$tmp/out"'
check "--explain: the exclusion" \
    'grep -Eq "^  @25 +abuse +abuse.not-crap +\"not crap\" exclusion$" "$tmp/out"'
check "--explain: the hit inside it, excluded" \
    'grep -Eq "^  @29 +abuse +abuse.crap +\"crap\" excluded by abuse.not-crap @25$" "$tmp/out"'
check "--explain: a repeat not counted again" \
    'grep -Eq "^  @42 +abuse +abuse.crap +\"crap\" merged or repeated$" "$tmp/out"'
check "--explain: count against threshold" \
    'grep -Eq "^  abuse +1 here \+ 0 before = 1, threshold 2: below threshold$" "$tmp/out"'
check "--explain: the decision" 'grep -q "^decision: no escalation$" "$tmp/out"'
sed 's/phrases: \[crap\]/phrases: [crap, junk]/' "$tmp/rules.yaml" > "$tmp/rules-junk.yaml"
printf 'rules: [rules-junk.yaml]\nlimits: {max_evidence: 1}\n' > "$tmp/capped.yaml"
msg "$tmp/j.eml" a@example.com j1 'This is crap and junk.'
"$bin" -c "$tmp/capped.yaml" -S none -t --explain "$tmp/j.eml" > "$tmp/out" 2>&1
check "--explain: a hit past max_evidence is said so, not called a repeat" \
    'grep -Eq "^  @22 +abuse +abuse.crap +\"junk\" past the evidence limit \(max_evidence\)$" "$tmp/out" && grep -Eq "abuse +2 here" "$tmp/out"'
"$bin" -c "$tmp/conf.yaml" -S none -t "$tmp/m.eml" > "$tmp/out" 2>&1
check "JSON evidence carries the offset" \
    'grep -q "\"rule\":\"abuse.crap\",\"text\":\"crap\",\"offset\":13" "$tmp/out"'
"$bin" -c "$tmp/conf.yaml" --explain > "$tmp/out" 2>&1
check "--explain without -t: exit 64" '[ $? -eq 64 ]'

# ---- eval.py ----
c="$tmp/corpus"
mkdir -p "$c/threads"
msg "$c/a1.eml" b1@example.com a1 'This crap again. I have a lawyer.'
msg "$c/a2.eml" b2@example.com a2 'No problem, thanks.'
msg "$c/a3.eml" b3@example.com a3 'The crap game is my hobby.'
msg "$c/a4.eml" b4@example.com a4 'My attorney will write to you.'
msg "$c/a5.eml" b5@example.com a5 'Thanks, that works.\r\n\r\nOn Mon, 3 Mar 2025, Support <s@shop.example> wrote:\r\n> no need for a lawyer'
msg "$c/threads/t1-1.eml" c1@example.com t1 'Still crap.'
msg "$c/threads/t1-2.eml" c1@example.com t2 'Crap, it broke again.'
{
	printf 'file\tabuse\tlegal\tmanager\tchargeback\tchargeback_state\treview\tphone\tphone_only\ttrap\tsource\tnotes\n'
	printf 'a1.eml\t1\t1\t0\t0\t\t0\t0\t0\tno\tproject\t\n'
	printf 'a2.eml\t0\t0\t0\t0\t\t0\t0\t0\tno\tproject\t\n'
	printf 'a3.eml\t0\t0\t0\t0\t\t0\t0\t0\tno\tproject\t[hard negative] a game\n'
	printf 'a4.eml\t0\t1\t0\t0\t\t0\t0\t0\tno\tproject\tattorney\n'
	printf 'a5.eml\t0\t0\t0\t0\t\t0\t0\t0\tyes\tproject\tquoted lawyer\n'
} > "$c/labels.tsv"
{
	printf 'thread\tposition\tfile\tabuse\tlegal\tmanager\tchargeback\tchargeback_state\treview\tphone\tphone_only\tcum_abuse\tcum_review\tcum_phone\tsource\tnotes\n'
	printf 't1\t2\tthreads/t1-2.eml\t1\t0\t0\t0\t\t0\t0\t0\t2\t0\t0\tproject\t\n'
	printf 't1\t1\tthreads/t1-1.eml\t1\t0\t0\t0\t\t0\t0\t0\t1\t0\t0\tproject\t\n'
} > "$c/threads/threads.tsv"

python3 "$top/scripts/eval.py" -c "$tmp/conf.yaml" "$c" > "$tmp/out" 2>&1
rc=$?
check "eval: exit 0 without --check" '[ $rc -eq 0 ]'
check "eval: message count" 'grep -q "^messages: 7 (2 in 1 threads)$" "$tmp/out"'
check "eval: abuse TP 3 FP 1 FN 0, precision 0.750" \
    'grep -Eq "^abuse +3 +1 +0 +3 +0.750 +1.000 +below target$" "$tmp/out"'
check "eval: legal TP 1 FP 0 FN 1, recall 0.500" \
    'grep -Eq "^legal +1 +0 +1 +5 +1.000 +0.500 +below target$" "$tmp/out"'
check "eval: categories without labels or hits" \
    'grep -Eq "^chargeback +0 +0 +0 +7 +- +- *$" "$tmp/out"'
check "eval: decisions (a4 missed)" \
    'grep -q "^decisions (fired categories = labels and thresholds): 6 right, 1 wrong$" "$tmp/out"'
check "eval: the hard negative did not escalate" \
    'grep -q "^hard negatives escalated: 0 of 1$" "$tmp/out"'
check "eval: the trap did not escalate" 'grep -q "^traps escalated: 0 of 1$" "$tmp/out"'
check "eval: the thread fired on its second message" \
    'grep -q "^thread decisions: 2 right, 0 wrong (1 threads)$" "$tmp/out"'
check "eval: targets not met" 'grep -q "NOT met$" "$tmp/out"'
python3 "$top/scripts/eval.py" -c "$tmp/conf.yaml" --check "$c" > /dev/null 2>&1
check "eval --check: exit 1 below target" '[ $? -eq 1 ]'
python3 "$top/scripts/eval.py" -c "$tmp/conf.yaml" -v "$c" > "$tmp/out" 2>&1
check "eval -v: the false alarm with its evidence" \
    'grep -q "^corpus/a3.eml abuse: false alarm (labelled 0)$" "$tmp/out" && grep -q "^    evidence: abuse.crap \"crap\" @[0-9]*$" "$tmp/out"'
check "eval -v: the miss with its notes" \
    'grep -q "^corpus/a4.eml legal: miss (labelled 1)$" "$tmp/out" && grep -q "^    notes: attorney$" "$tmp/out"'
check "eval -v: the wrong decision" \
    'grep -q "^corpus/a4.eml: fired {}, expected {legal}$" "$tmp/out"'

# fixed rules: every target met
sed 's/phrases: \[lawyer\]/phrases: [lawyer, attorney]/; s/phrases: \["not crap"\]/phrases: ["not crap", "crap game"]/' \
    "$tmp/rules.yaml" > "$tmp/rules2.yaml"
printf 'rules: [rules2.yaml]\n' > "$tmp/conf2.yaml"
python3 "$top/scripts/eval.py" -c "$tmp/conf2.yaml" --check "$c" > "$tmp/out" 2>&1
check "eval --check: exit 0 when every target is met" '[ $? -eq 0 ] && grep -q ": met$" "$tmp/out"'
mkdir "$tmp/empty"
python3 "$top/scripts/eval.py" -c "$tmp/conf.yaml" "$tmp/empty" > "$tmp/out" 2>&1
check "eval: a directory without labels is an error" '[ $? -ne 0 ] && grep -q "no labels.tsv" "$tmp/out"'

summary explain_eval
