#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package, installed into a scratch root (dpkg -x) and run from there: cpack writes
# prismaquant_<version>_<arch>.deb from the build folder; its Depends are generated
# (dpkg-shlibdeps) and name the libraries the programs link; the CLI runs (--version, inspect of
# the demo model it ships); the Studio starts (--version, offscreen); the man pages, the desktop
# entry (desktop-file-validate), the AppStream metainfo (appstreamcli validate), the icon and the
# guides are where the desktop and `man` look for them.
#   test_deb.sh BUILD_DIR VERSION WITH_GUI WITH_TORCH
set -euo pipefail
build=$1 version=$2 gui=$3 torch=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps appstreamcli desktop-file-validate; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs it)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(find "$work/out" -maxdepth 1 -name "prismaquant_${version}_*.deb")
[ -n "$deb" ] || { ls -l "$work/out" >&2; fail "no prismaquant_${version}_*.deb written"; }
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for pkg in libc6 libstdc++6 libfmt9 libssl3; do
    grep -qw "$pkg" <<<"$depends" || fail "Depends lacks $pkg"
done
if [ "$gui" = ON ]; then
    grep -q "libqt6widgets6" <<<"$depends" || fail "Depends lacks libqt6widgets6"
    grep -q "libqt6svg6" <<<"$depends" || fail "Depends lacks libqt6svg6 (the SVG plugin)"
fi
if [ "$torch" = ON ]; then
    grep -q "libtorch" <<<"$depends" || fail "Depends lacks libtorch"
fi

root="$work/root"
dpkg -x "$deb" "$root"
usr="$root/usr"
"$usr/bin/prismaquant" --version | grep -qx "prismaquant $version" ||
    fail "prismaquant --version does not say $version"
demo="$usr/share/prismaquant/examples/demo-llama"
"$usr/bin/prismaquant" inspect "$demo" >"$work/inspect.txt" || fail "inspect of the demo failed"
grep -q "llama" "$work/inspect.txt" || { cat "$work/inspect.txt" >&2; fail "inspect says no llama"; }
grep -Eq "^Linears +28 in" "$work/inspect.txt" || { cat "$work/inspect.txt" >&2; fail "inspect lists no 28 Linears"; }

man="$usr/share/man/man1/prismaquant.1.gz"
[ -f "$man" ] || fail "no man page at /usr/share/man/man1/prismaquant.1.gz (help2man missing at build time?)"
zcat "$man" | grep -q '^\.SS inspect' || fail "the man page has no section for inspect"
zcat "$man" | grep -q '^\.SS run' || fail "the man page has no section for run"

if [ "$gui" = ON ]; then
    [ -f "$usr/share/man/man1/prismaquant-studio.1.gz" ] || fail "no man page of the Studio"
    desktop="$usr/share/applications/org.prismaquant.Studio.desktop"
    desktop-file-validate "$desktop" || fail "the desktop entry does not validate"
    grep -qx "Icon=org.prismaquant.Studio" "$desktop" || fail "the desktop entry names another icon"
    appstreamcli validate --no-net "$usr/share/metainfo/org.prismaquant.Studio.metainfo.xml" ||
        fail "the AppStream metainfo does not validate"
    [ -f "$usr/share/icons/hicolor/scalable/apps/org.prismaquant.Studio.svg" ] || fail "no SVG icon"
    [ -f "$usr/share/icons/hicolor/256x256/apps/org.prismaquant.Studio.png" ] || fail "no PNG icon"
    [ -f "$usr/share/prismaquant/examples/calibration/kjv.txt.gz" ] || fail "no bundled text"
    QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$work" "$usr/bin/prismaquant-studio" --version \
        2>/dev/null | grep -qx "PrismaQuant Studio $version" ||
        fail "prismaquant-studio --version does not say $version"
fi
[ -f "$usr/share/doc/prismaquant/README.md" ] || fail "no README in /usr/share/doc/prismaquant"
[ -f "$usr/share/doc/prismaquant/guide.md" ] || fail "no guide in /usr/share/doc/prismaquant"
echo "ok: $(dpkg-deb -c "$deb" | wc -l) entries, installed and run from a scratch root"
