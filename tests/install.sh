#!/bin/sh
# install.sh - `make install` into a staging DESTDIR: every file where
# the docs say, and the installed config checks clean with the installed
# rules (-n), so the layout really works.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/em-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT INT TERM
. "$top/tests/lib.sh"
make -C "$top" --no-print-directory install DESTDIR="$dest" PREFIX=/usr \
    > "$dest.log" 2>&1
check "make install DESTDIR= PREFIX=/usr succeeds" '[ $? -eq 0 ] || cat "$dest.log"'
rm -f "$dest.log"
check "daemon in sbin" '[ -x "$dest/usr/sbin/escalation-milter" ]'
check "config in /etc/escalation-milter" '[ -f "$dest/etc/escalation-milter/escalation-milter.yaml" ]'
check "default rules in /etc/escalation-milter/rules" '[ -f "$dest/etc/escalation-milter/rules/default.yaml" ]'
check "escalation-milter(8)" '[ -f "$dest/usr/share/man/man8/escalation-milter.8" ]'
check "escalation-milter.yaml(5)" '[ -f "$dest/usr/share/man/man5/escalation-milter.yaml.5" ]'
check "installed config and rules pass -n" \
    '"$dest/usr/sbin/escalation-milter" -n -S memory: -c "$dest/etc/escalation-milter/escalation-milter.yaml" >/dev/null'
make -C "$top" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
check "make uninstall removes the daemon" '[ ! -e "$dest/usr/sbin/escalation-milter" ]'
summary install
