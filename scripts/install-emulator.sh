#!/usr/bin/env bash
# Installs the local AWS emulator that the apply-cycle tests start (__tests__/helpers/emulator.ts):
# moto in server mode on the system python3, from Debian packages only.
#
# - The Python libraries moto needs come from the machine's own Debian release (apt-get install;
#   nothing already installed is upgraded).
# - moto itself (python3-moto) is only in Debian unstable. It is pure Python, so its .deb is
#   downloaded through a private apt state (an extra source derived from the machine's own deb822
#   source: same mirror and keyring, suite "sid") and unpacked with `dpkg -x` into
#   $CDKTF_LAYERS_EMULATOR_DIR/moto (default /opt/cdktf-layers-emulator): never installed, so the
#   system's packages stay as they are.
# - Accepted moto versions: MOTO_MIN <= version < MOTO_BELOW (5.2.4 is the first that takes a layer
#   ARN as LayerName in permission calls). Unstable moves: outside the range this fails and says so.
#
# Idempotent: when everything is in place it only checks (about 2 s). Run as root.
set -euo pipefail

EMULATOR_DIR="${CDKTF_LAYERS_EMULATOR_DIR:-/opt/cdktf-layers-emulator}"
PYTHON=/usr/bin/python3
MOTO_MIN=5.2.4
MOTO_BELOW=5.3

# moto's own dependencies (server mode, Lambda, IAM, SSM, STS, S3), plus the libraries other tests use
# through boto3.
DEBIAN_PACKAGES=(
  python3-boto3 python3-botocore python3-s3transfer python3-cryptography python3-yaml python3-jinja2
  python3-markupsafe python3-requests python3-urllib3 python3-flask python3-flask-cors python3-werkzeug
  python3-responses python3-xmltodict python3-dateutil
)

say() { printf 'install-emulator: %s\n' "$*"; }
die() {
  printf 'install-emulator: error: %s\n' "$*" >&2
  exit 1
}

moto_in_range() { dpkg --compare-versions "$1" ge "$MOTO_MIN~" && dpkg --compare-versions "$1" lt "$MOTO_BELOW~"; }

moto_works() {
  PYTHONPATH="$EMULATOR_DIR/moto/usr/lib/python3/dist-packages" "$PYTHON" -c 'import moto.server' 2>/dev/null
}

# 1. Debian packages from the machine's own release.
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run this script as root"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
fi
[ -x "$PYTHON" ] || die "$PYTHON not found (moto runs on the system python3)"

# 2. moto, unpacked.
if [ -f "$EMULATOR_DIR/moto.version" ] && moto_in_range "$(cat "$EMULATOR_DIR/moto.version")" && moto_works; then
  say "moto $(cat "$EMULATOR_DIR/moto.version") ready in $EMULATOR_DIR/moto"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "moto is not installed in $EMULATOR_DIR; run this script as root"

# The extra source: the machine's first deb822 stanza for its own release (main archive, not
# -security/-updates), with Suites replaced by unstable's codename.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release"
source_stanza=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  source_stanza=$(awk -v suite="$codename" '
    BEGIN { RS = ""; FS = "\n" }
    {
      uris = ""; signed = ""; suites = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { uris = $i }
        else if ($i ~ /^Signed-By:/) { signed = $i }
        else if ($i ~ /^Suites:/) { suites = " " substr($i, 8) " " }
      }
      if (uris != "" && suites ~ (" " suite " ")) {
        print "Types: deb"; print uris; print "Suites: sid"; print "Components: main"
        if (signed != "") print signed
        exit
      }
    }' "$f")
  [ -n "$source_stanza" ] && break
done
[ -n "$source_stanza" ] || die "no deb822 source for '$codename' in /etc/apt/sources.list.d/*.sources to derive the unstable source from"

apt_dir="$EMULATOR_DIR/apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
: >"$apt_dir/empty.list"
printf '%s\n' "$source_stanza" >"$apt_dir/sources.list.d/unstable.sources"
chown -R _apt "$apt_dir/lists" "$apt_dir/download" 2>/dev/null || true
apt_private=(
  -o "Dir::Etc::SourceList=$apt_dir/empty.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
)
say "reading unstable's package list (private apt state in $apt_dir)"
apt-get "${apt_private[@]}" update -qq

versions=$(apt-cache "${apt_private[@]}" madison python3-moto | awk -F'|' '{gsub(/ /, "", $2); print $2}')
chosen=""
for v in $versions; do
  if moto_in_range "$v" && { [ -z "$chosen" ] || dpkg --compare-versions "$v" gt "$chosen"; }; then chosen=$v; fi
done
[ -n "$chosen" ] || die "python3-moto in Debian unstable is ${versions:-absent}; accepted: >= $MOTO_MIN, < $MOTO_BELOW. Check the apply-cycle tests with the new version, then change MOTO_MIN/MOTO_BELOW in $0."

say "downloading python3-moto $chosen"
rm -f "$apt_dir/download/"*.deb
(cd "$apt_dir/download" && apt-get "${apt_private[@]}" download -qq "python3-moto=$chosen")
deb=$(ls "$apt_dir/download/"python3-moto_*.deb)
rm -rf "$EMULATOR_DIR/moto.new"
dpkg -x "$deb" "$EMULATOR_DIR/moto.new"
rm -rf "$EMULATOR_DIR/moto"
mv "$EMULATOR_DIR/moto.new" "$EMULATOR_DIR/moto"
echo "$chosen" >"$EMULATOR_DIR/moto.version"
rm -f "$deb"
moto_works || die "moto $chosen is unpacked in $EMULATOR_DIR/moto but does not import on $PYTHON"
say "moto $chosen ready in $EMULATOR_DIR/moto"
