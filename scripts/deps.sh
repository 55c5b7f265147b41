#!/bin/sh
#
# scripts/deps.sh - install the Debian 12 packages needed to build, test
# and demo escalation-milter ("make deps").
#
# Idempotent and quiet: asks dpkg which packages are missing and does
# nothing (prints nothing) when none is.  Otherwise runs apt-get update
# once and installs only the missing ones, non-interactively.  Postfix
# is preseeded to "No configuration", so it installs no system MTA
# config and starts nothing; the tests run their own private instance.
# Services are kept from starting during the install (policy-rc.d), which
# also suits containers without systemd.  Uses sudo only when not root.

set -eu

# The last line: what the private Sendmail of the tests needs besides its
# own packages, which conflict with postfix and are unpacked, not
# installed (tests/e2e/sendmail.sh).
PKGS="build-essential make pkg-config
libmilter-dev libgmime-3.0-dev libglib2.0-dev libyaml-dev libhyperscan-dev
libxml2-dev libjson-glib-dev libsqlite3-dev libhiredis-dev
miltertest swaks postfix valgrind python3 perl procps coreutils
findutils util-linux debconf
m4 libwrap0 liblockfile1 libldap-2.5-0 libdb5.3 libsasl2-2 libnsl2 libssl3"

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" = 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: not root and no sudo; install them as root" >&2
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive

# Keep invoke-rc.d from starting daemons (postfix) while installing;
# only if no policy is in place already, and removed afterwards.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	trap '$SUDO rm -f "$policy"' EXIT
fi

echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections

$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold $missing

still=
for p in $missing; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$'; then
		still="$still $p"
	fi
done
if [ -n "$still" ]; then
	echo "deps.sh: still missing after install:$still" >&2
	exit 1
fi
echo "deps.sh: done"
