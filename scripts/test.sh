#!/bin/sh
# The project's test command: system packages for a real BDII, the venv, lint, types, tests.
# Usage: scripts/test.sh [pytest arguments]; run from anywhere.
set -eu

cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# Debian's BDII: slapd + the bdii configuration + the GLUE schemas; openssl makes test CAs.
BDII_PACKAGES="bdii glue-schema slapd ldap-utils openssl"
# Headless Chromium renders `cecap page` for its tests (tests/e2e/test_page.py).
BROWSER_PACKAGES="chromium"
# A real Nagios 4 runs `cecap check` for its tests (tests/e2e/test_nagios.py), on a
# private configuration that uses the package's object templates.
NAGIOS_PACKAGES="nagios4-core"
# The man pages are read by groff and man-db's lexgrog (tests/e2e/test_manpages.py).
MAN_PACKAGES="man-db"
# The packages' tests (tests/e2e/test_package*.py): the Debian package's build tools and
# build dependencies (debian/control), lintian, systemd-analyze for its units, rpmbuild
# and rpmlint for cecap.spec, Nagios for the shipped definitions.
PACKAGING_PACKAGES="dpkg-dev debhelper dh-python pybuild-plugin-pyproject python3-all
python3-setuptools python3-click python3-defusedxml python3-yaml lintian systemd rpm rpmlint
nagios4-core"
# libxml2's xmllint checks that an export and every VO feed are well-formed XML 1.0
# (tests/e2e/test_export_gwms.py, tests/helpers/xmllint.py).
XML_PACKAGES="libxml2-utils"

say() { printf '%s\n' "test.sh: $*" >&2; }

bdii_ready() {
    { command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; } &&
        command -v ldapadd >/dev/null 2>&1 &&
        command -v ldapsearch >/dev/null 2>&1 &&
        command -v openssl >/dev/null 2>&1 &&
        [ -f /etc/ldap/schema/Glue-CE.schema ] &&
        [ -f /etc/ldap/schema/GLUE20.schema ] &&
        [ -f /usr/share/bdii/bdii-top-slapd.conf ] &&
        [ -f /usr/share/bdii/default.ldif ]
}

packaging_ready() {
    for tool in dpkg-buildpackage dpkg-checkbuilddeps lintian systemd-analyze rpmbuild \
        rpmlint; do
        command -v "$tool" >/dev/null 2>&1 || return 1
    done
    [ -x /usr/sbin/nagios4 ] && dpkg-checkbuilddeps -I debian/control >/dev/null 2>&1
}

nagios_ready() {
    [ -x /usr/sbin/nagios4 ] &&
        [ -f /etc/nagios4/objects/templates.cfg ] &&
        [ -f /etc/nagios4/objects/timeperiods.cfg ]
}

venv_ready() {
    [ -x .venv/bin/python ] || "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

apt_install() {
    # Wait for another apt or dpkg run to finish rather than fail on its lock.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
        install -y -q --no-install-recommends "$@"
}

install_packages() {
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no apt-get here: install $packages by hand"
        return 1
    fi
    if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
        say "need root or sudo to install $packages"
        return 1
    fi
    say "installing $packages"
    # Package scripts must not start services (slapd on 389, the bdii daemon, whose
    # postinst fails where no init can start it, nagios4); the tests run their own.
    policy=/usr/sbin/policy-rc.d
    made_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        made_policy=1
    fi
    rc=0
    if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
        as_root apt-get update -q || rc=$?
    fi
    # shellcheck disable=SC2086 # $packages is a list of words
    if [ "$rc" = 0 ] && ! apt_install $packages; then
        as_root apt-get update -q && apt_install $packages || rc=$?
    fi
    if [ -n "$made_policy" ]; then
        as_root rm -f "$policy"
    fi
    return "$rc"
}

packages=
bdii_ready || packages=$BDII_PACKAGES
command -v chromium >/dev/null 2>&1 || packages="$packages $BROWSER_PACKAGES"
nagios_ready || packages="$packages $NAGIOS_PACKAGES"
{ command -v groff && command -v lexgrog; } >/dev/null 2>&1 || packages="$packages $MAN_PACKAGES"
packaging_ready || packages="$packages $PACKAGING_PACKAGES"
command -v xmllint >/dev/null 2>&1 || packages="$packages $XML_PACKAGES"
venv_ready || packages="$packages python3-venv"
packages=${packages# }
if [ -n "$packages" ]; then
    install_packages
fi

if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'

lint_paths=
for dir in src tests benchmarks; do
    if [ -d "$dir" ]; then
        lint_paths="$lint_paths $dir"
    fi
done

status=0
run() {
    say "$*"
    "$@" || status=1
}
# shellcheck disable=SC2086 # $lint_paths is a list of words
run .venv/bin/ruff check $lint_paths
# shellcheck disable=SC2086
run .venv/bin/ruff format --check $lint_paths
run .venv/bin/mypy
# The steps import only the steps below them (the layers contract in pyproject.toml).
run .venv/bin/lint-imports --no-cache
run .venv/bin/python -m pytest -q "$@"
exit "$status"
