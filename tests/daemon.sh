#!/bin/sh
# daemon.sh - the milter as a daemon started by root: it detaches (no
# -f), writes its pid file, sets the unix socket's mode and group, drops
# privileges to the configured user, serves a protocol session, and on
# SIGTERM removes its socket and pid file.  Needs root: skipped without.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/milter/escalation-milter"
. "$top/tests/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "daemon: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/em-daemon.XXXXXX)
chmod 755 "$tmp"
mkdir "$tmp/run"
chown nobody "$tmp/run"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cat > "$tmp/conf.yaml" <<EOC
socket: "unix:$tmp/run/milter.sock"
socket_mode: "0660"
socket_group: nogroup
user: nobody
pid_file: $tmp/run/milter.pid
rules: [$top/rules/default.yaml]
EOC
"$bin" -c "$tmp/conf.yaml"
check "started as a daemon: exit 0" '[ $? -eq 0 ]'
i=0
# the socket comes before the pid file: wait for both
while { [ ! -S "$tmp/run/milter.sock" ] || [ ! -s "$tmp/run/milter.pid" ]; } &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
[ -f "$tmp/run/milter.pid" ] && pid=$(cat "$tmp/run/milter.pid")
check "pid file written" '[ -n "$pid" ] && kill -0 "$pid"'
check "socket mode 0660, group nogroup" \
    '[ "$(stat -c "%a %G" "$tmp/run/milter.sock")" = "660 nogroup" ]'
check "privileges dropped to nobody" \
    '[ "$(awk "/^Uid:/ { print \$2, \$3, \$4 }" /proc/$pid/status)" = "$(id -u nobody) $(id -u nobody) $(id -u nobody)" ]'
check "detached from the terminal (own session)" \
    '[ "$(ps -o sid= -p "$pid" | tr -d " ")" = "$pid" ]'
cat > "$tmp/t.lua" <<'EOL'
local conn = mt.connect(sock, 20, 0.25)
if conn == nil then error("connect") end
mt.conninfo(conn, "client.example", "127.0.0.1")
mt.mailfrom(conn, "<c@example.com>")
mt.rcptto(conn, "<support@shop.example>")
mt.header(conn, "Subject", "x")
mt.eoh(conn)
mt.bodystring(conn, "I will sue you in small claims court.\r\n")
mt.eom(conn)
if not mt.eom_check(conn, MT_HDRADD, "X-Escalation", "legal") then
	error("X-Escalation: legal not added")
end
mt.disconnect(conn)
EOL
miltertest -D sock="unix:$tmp/run/milter.sock" -s "$tmp/t.lua" >/dev/null 2>&1
check "serves mail after the drop" '[ $? -eq 0 ]'
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
check "stops on SIGTERM" '! kill -0 "$pid" 2>/dev/null'
pid=
check "socket removed at exit" '[ ! -e "$tmp/run/milter.sock" ]'
check "pid file removed at exit" '[ ! -e "$tmp/run/milter.pid" ]'

# a user that does not exist: clear error, non-zero exit, nothing left
sed -i 's/^user: nobody/user: no-such-user-xyz/' "$tmp/conf.yaml"
"$bin" -f -c "$tmp/conf.yaml" > "$tmp/out" 2>&1
rc=$?
check "unknown user: exit 71 (EX_OSERR) with a clear message" \
    '[ $rc -eq 71 ] && grep -q "no such user .no-such-user-xyz." "$tmp/out"'
check "... and leaves no socket or pid file behind" \
    '[ ! -e "$tmp/run/milter.sock" ] && [ ! -e "$tmp/run/milter.pid" ]'
summary daemon
