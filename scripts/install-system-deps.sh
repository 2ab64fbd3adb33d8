#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and only those that are missing.
# Idempotent: a machine that already has everything runs no apt command at all.
# The tests start their own MariaDB, Redis and PHP servers on loopback, so this script makes sure
# the packages' own services are not started by the install.
set -euo pipefail

DEB_PACKAGES=(
    mariadb-server mariadb-client
    php-cli php-mysql php-curl php-mbstring php-xml
    wordpress redis-server openssl curl chromium phpunit
)

missing=()
for package in "${DEB_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# Node may come from outside apt (this machine's node 20 does): judge it by its commands.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-deps: everything is installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: missing packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

# policy-rc.d answering 101 tells the packages' maintainer scripts not to start their services.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
