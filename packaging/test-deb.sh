#!/usr/bin/env bash
# The .deb as a user gets it (.ci/run, last stage): builds it with
# `bootstrap.sh package`, installs it with apt, checks the installed files,
# validates the desktop entry and the AppStream metadata, runs the installed
# binary from outside the repository with an empty HOME (--version, a
# headless demo scenario, the window offscreen), then removes the package.
# Run as root or with sudo on Debian 12. Any failing step ends it with an
# error; the package is removed on every way out, and nothing else is (no
# autoremove: what apt pulled in stays, as it would for a user).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
pkg=supervision-console
id=io.github.supervisionconsole.SupervisionConsole
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
# Other jobs on the machine may hold dpkg's lock for a while: wait for it.
apt_get() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
say() { echo "test-deb: $*"; }
fail() {
  echo "test-deb: FAILED: $*" >&2
  exit 1
}
installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; }
# Known to dpkg in any state, a half-done installation included.
present() { dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qv '^not-installed$'; }

# Never replace (and then remove) a copy someone installed on purpose.
if present; then fail "$pkg is already installed here; remove it first (apt-get remove $pkg)"; fi

tmp=$(mktemp -d)
we_installed=0
cleanup() {
  local status=$?
  if [ $we_installed = 1 ] && present; then
    say "removing $pkg after a failure"
    apt_get remove -y "$pkg" >/dev/null || status=1
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
# Bash skips the EXIT trap when a signal kills it: turn those into exits.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tools=()
command -v desktop-file-validate >/dev/null || tools+=(desktop-file-utils)
command -v appstreamcli >/dev/null || tools+=(appstream)
if ((${#tools[@]})); then
  say "installing ${tools[*]}"
  apt_get update >/dev/null
  apt_get install -y --no-install-recommends "${tools[@]}" >/dev/null
fi

say "building the package"
packaging/bootstrap.sh package | tee "$tmp/build.log"
deb=$(tail -n 1 "$tmp/build.log")
[ -f "$deb" ] || fail "bootstrap.sh package printed no .deb ('$deb')"
version=$(dpkg-deb -f "$deb" Version)
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || fail "$deb: the package is not called $pkg"
say "$deb: $pkg $version"

# Depends alone must be enough to run, so Recommends stay out.
say "installing it"
we_installed=1
apt_get install -y --no-install-recommends "$deb"
installed || fail "apt-get did not install $pkg"

files=("/usr/bin/$pkg" "/usr/share/applications/$id.desktop" "/usr/share/metainfo/$id.metainfo.xml"
  "/usr/share/icons/hicolor/scalable/apps/$id.svg" "/usr/share/man/man1/$pkg.1.gz"
  "/usr/share/doc/$pkg/copyright" "/usr/share/doc/$pkg/LICENSE" "/usr/share/doc/$pkg/README.md")
for size in 16 22 24 32 48 64 128 256 512; do files+=("/usr/share/icons/hicolor/${size}x$size/apps/$id.png"); done
for f in "${files[@]}"; do [ -s "$f" ] || fail "$f is missing or empty"; done
for f in resources/scenarios/*.json; do
  cmp -s "$f" "/usr/share/$pkg/scenarios/${f##*/}" || fail "/usr/share/$pkg/scenarios/${f##*/} is not $f"
done
scenarios=("/usr/share/$pkg/scenarios/"*.json)
say "files in place (${#files[@]} checked, ${#scenarios[@]} scenarios)"

desktop-file-validate /usr/share/applications/$id.desktop
appstreamcli validate --no-net --explain /usr/share/metainfo/$id.metainfo.xml
grep -q "<release version=\"$version\"" /usr/share/metainfo/$id.metainfo.xml \
  || fail "the metainfo has no <release> for $version (packaging/linux/$id.metainfo.xml)"

# The installed binary, as a user starts it: from their home, in a clean
# environment, nothing of the repository or the build tree in reach.
home="$tmp/home"
mkdir -p "$home" "$tmp/runtime"
chmod 700 "$tmp/runtime"
run() { (cd "$home" && env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 XDG_RUNTIME_DIR="$tmp/runtime" "$@"); }

out=$(run $pkg --version)
[ "$out" = "$pkg $version" ] || fail "--version printed '$out', expected '$pkg $version'"
say "--version: $out"

# The demo in which a killed finance service rebuilds its state from the
# ledger: the trace must show the restart and the recovered total, and the
# ledger must hold both donations.
scenario=/usr/share/$pkg/scenarios/07_state_recover.json
code=0
run $pkg --headless --scenario $scenario --trace "$home/trace.jsonl" --data-dir "$home/data" || code=$?
[ $code -eq 0 ] || fail "the headless run of $scenario exited with $code"
grep -q '"event":"restart","path":"finance/core/trackers/alice"' "$home/trace.jsonl" \
  || fail "the trace shows no restart of alice's tracker"
last=$(grep '"do":"total"' "$home/trace.jsonl" | tail -n 1)
[[ $last == *'"value":"15.00"'* ]] || fail "the total after the restart is not the recovered 15.00: $last"
run $pkg --export-audit "$home/audit.csv" --data-dir "$home/data"
[ "$(grep -c ',donation,alice,' "$home/audit.csv")" -eq 2 ] || fail "the ledger does not hold alice's 2 donations"
say "headless $scenario: $(wc -l <"$home/trace.jsonl") trace events, the total recovered, 2 donations in the ledger"

# The window, offscreen: the platform plugin and everything Qt loads at run
# time come from the installed dependencies.
run env QT_QPA_PLATFORM=offscreen $pkg --screenshot "$home/window.png" --data-dir "$home/window-data"
[ "$(head -c 8 "$home/window.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
  || fail "the window's screenshot is not a PNG"
say "window screenshot offscreen: $(stat -c %s "$home/window.png") bytes"

say "removing it"
apt_get remove -y "$pkg"
we_installed=0
present && fail "$pkg is still installed after apt-get remove"
for f in /usr/bin/$pkg /usr/share/applications/$id.desktop /usr/share/$pkg; do
  [ ! -e "$f" ] || fail "$f is still there after apt-get remove"
done
say "passed in $((SECONDS - start)) s"
