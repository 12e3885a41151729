#!/bin/sh
# Builds cecap's packages from a clean copy of this tree, where the tools are: the Debian
# package (dpkg-buildpackage, debian/) and the RPM (rpmbuild, cecap.spec; Debian's rpm
# package has one).
# Usage: scripts/package.sh [-o DIR] [deb] [rpm]   (into dist/; by default each kind
# whose tools are here). Debian's rpm has rpmbuild but not Fedora's Python macros
# (%pyproject_wheel, ... from pyproject-rpm-macros): there `rpm` writes the source
# tarball, which holds cecap.spec (rpmbuild -tb cecap-VERSION.tar.gz on EL9 or Fedora),
# says why it cannot build the RPM, and exits 1.
set -eu

caller=$PWD
cd "$(dirname "$0")/.."
tree=$PWD
out=$tree/dist

SYSTEM_PATH=/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '%s\n' "package.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
    -o)
        case $2 in
        /*) out=$2 ;;
        *) out=$caller/$2 ;;
        esac
        shift 2
        ;;
    *) break ;;
    esac
done
rpm_macros() {
    command -v rpmbuild >/dev/null 2>&1 &&
        [ "$(rpm --eval '%{?pyproject_wheel:yes}')" = yes ] &&
        [ "$(rpm --eval '%{?_unitdir:yes}')" = yes ]
}

if [ $# -gt 0 ]; then
    kinds=$*
else
    kinds=
    command -v dpkg-buildpackage >/dev/null 2>&1 && kinds=deb
    rpm_macros && kinds="$kinds rpm"
    if [ -z "$kinds" ]; then
        say "neither dpkg-buildpackage nor rpmbuild with Fedora's Python macros here"
        exit 1
    fi
fi

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' src/cecap/__init__.py)
work=$(mktemp -d "${TMPDIR:-/tmp}/cecap-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
copy=$work/cecap-$version
mkdir -p "$copy" "$out"

# The tree's own files only: no venv, caches, builds or test artifacts.
if git -C "$tree" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$tree" ls-files -z --cached --others --exclude-standard |
        (cd "$tree" && xargs -0 tar -cf - --) | tar -xf - -C "$copy"
else
    tar -cf - --exclude=./.git --exclude=./.venv --exclude=./dist --exclude=./build \
        --exclude=./test-artifacts --exclude='*/__pycache__' --exclude=./.hypothesis \
        --exclude=./.mypy_cache --exclude=./.ruff_cache --exclude=./.pytest_cache . |
        tar -xf - -C "$copy"
fi

for kind in $kinds; do
    case $kind in
    deb)
        if ! command -v dpkg-buildpackage >/dev/null 2>&1; then
            say "no dpkg-buildpackage here (apt-get install dpkg-dev debhelper dh-python pybuild-plugin-pyproject)"
            exit 1
        fi
        say "building the Debian package in $copy"
        # Its Build-Depends, but not build-essential's C compiler: cecap is all Python.
        (cd "$copy" && dpkg-checkbuilddeps -I) || {
            say "install the build dependencies above (apt-get install ...)"
            exit 1
        }
        # Debian's own python3 builds it, not one earlier on PATH (/usr/local, pyenv).
        (cd "$copy" && env PATH="$SYSTEM_PATH" dpkg-buildpackage -us -uc -d --build=full) \
            >"$work/deb.log" 2>&1 || {
            tail -n 40 "$work/deb.log" >&2
            say "dpkg-buildpackage failed"
            exit 1
        }
        for file in "$work"/cecap_"$version"*; do
            cp "$file" "$out/"
            say "wrote $out/$(basename "$file")"
        done
        ;;
    rpm)
        tarball=cecap-$version.tar.gz
        tar -czf "$out/$tarball" -C "$work" --exclude="cecap-$version/debian" "cecap-$version"
        say "wrote $out/$tarball (with cecap.spec: rpmbuild -tb $tarball)"
        if ! command -v rpmbuild >/dev/null 2>&1; then
            say "no rpmbuild here (apt-get install rpm; on EL9: dnf install rpm-build)"
            exit 1
        fi
        if ! rpm_macros; then
            say "cannot build the RPM here: this rpmbuild lacks Fedora's Python and systemd" \
                "macros (%pyproject_wheel, %pyproject_install, %pyproject_save_files from" \
                "pyproject-rpm-macros; %_unitdir from systemd-rpm-macros), which Debian does" \
                "not package; build it on EL9 or Fedora"
            exit 1
        fi
        top=$work/rpmbuild
        say "building the RPM in $top"
        env PATH="$SYSTEM_PATH" rpmbuild -tb --define "_topdir $top" "$out/$tarball" \
            >"$work/rpm.log" 2>&1 || {
            tail -n 40 "$work/rpm.log" >&2
            say "rpmbuild failed"
            exit 1
        }
        for file in "$top"/RPMS/*/cecap-*.rpm; do
            cp "$file" "$out/"
            say "wrote $out/$(basename "$file")"
        done
        ;;
    *)
        say "unknown kind $kind: deb or rpm"
        exit 2
        ;;
    esac
done
