#!/bin/sh
# cli.sh - the command line: -n on good and broken configs (every
# problem as file:line:col, exit 78), -V, -h, usage errors (exit 64).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/em-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"

# the shipped config, laid out as installed: rules/ beside it
cp "$top/conf/escalation-milter.yaml" "$tmp/"
ln -s "$top/rules" "$tmp/rules"
"$bin" -n -S memory: -c "$tmp/escalation-milter.yaml" > "$tmp/out" 2>&1
check "-n on the shipped config: exit 0" '[ $? -eq 0 ]'
check "-n summarises the rule set" 'grep -q "8 categories" "$tmp/out"'

cat > "$tmp/bad.yaml" <<EOC
socket: "unix:/tmp/x.sock"
on_error: drop
limits:
  max_headers: lots
  max_mime_depth: 0
tagging:
  subject_templat: "[E] "
rules: [$tmp/bad-rules.yaml]
EOC
cat > "$tmp/bad-rules.yaml" <<EOC
categories:
  - id: legal
    threshold: 1
    rules:
      - id: legal.bad
        regex: "lawyer(("
EOC
"$bin" -n -c "$tmp/bad.yaml" > "$tmp/out" 2>&1
rc=$?
check "-n on a broken config: exit 78 (EX_CONFIG)" '[ $rc -eq 78 ]'
check "on_error reported at 2:11" 'grep -q "^$tmp/bad.yaml:2:11: on_error: .drop. is not one of: accept, tempfail" "$tmp/out"'
check "max_headers reported at 4:16" 'grep -q "^$tmp/bad.yaml:4:16: max_headers: expected a whole number" "$tmp/out"'
check "max_mime_depth reported at 5:19" 'grep -q "^$tmp/bad.yaml:5:19: max_mime_depth: 0 is out of range" "$tmp/out"'
check "unknown key reported at 7:3" 'grep -q "^$tmp/bad.yaml:7:3: tagging: unknown key .subject_templat." "$tmp/out"'
check "every problem reported (4 lines)" '[ "$(grep -c "^$tmp/bad.yaml:" "$tmp/out")" -eq 4 ]'

sed -i '2,7d' "$tmp/bad.yaml"
"$bin" -n -c "$tmp/bad.yaml" > "$tmp/out" 2>&1
rc=$?
check "invalid regex: exit 78" '[ $rc -eq 78 ]'
check "invalid regex reported at its position" 'grep -q "^$tmp/bad-rules.yaml:6:16: " "$tmp/out"'

"$bin" -n -c "$tmp/missing.yaml" > "$tmp/out" 2>&1
rc=$?
check "missing config: exit 78, named" '[ $rc -eq 78 ] && grep -q "missing.yaml: cannot open" "$tmp/out"'

printf 'rules: [nothere.yaml]\n' > "$tmp/norules.yaml"
"$bin" -n -c "$tmp/norules.yaml" > "$tmp/out" 2>&1
check "missing rules file reported at 1:9" 'grep -q "^$tmp/norules.yaml:1:9: rules: cannot open $tmp/nothere.yaml" "$tmp/out"'

printf 'x: [unclosed\n' > "$tmp/syntax.yaml"
"$bin" -n -c "$tmp/syntax.yaml" > "$tmp/out" 2>&1
check "YAML syntax error with position" 'grep -q "^$tmp/syntax.yaml:[0-9]*:[0-9]*: YAML syntax error" "$tmp/out"'

"$bin" -V > "$tmp/out" 2>&1
check "-V prints the version" '[ $? -eq 0 ] && grep -q "^escalation-milter [0-9]" "$tmp/out"'
"$bin" -h > "$tmp/out" 2>&1
check "-h prints usage, exit 0" '[ $? -eq 0 ] && grep -q "usage:" "$tmp/out"'
"$bin" -x > "$tmp/out" 2>&1
check "unknown option: exit 64" '[ $? -eq 64 ]'
"$bin" -t -c "$top/conf/escalation-milter.yaml" > "$tmp/out" 2>&1
check "-t without files: exit 64" '[ $? -eq 64 ]'
"$bin" -n -t x.eml > "$tmp/out" 2>&1
check "-n with -t: exit 64" '[ $? -eq 64 ]'

summary cli
