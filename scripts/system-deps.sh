#!/usr/bin/env bash
# Install the Debian packages the test suite needs (Debian 12 "bookworm").
#
#   - PostgreSQL 15 server binaries (initdb, pg_ctl, postgres), for the
#     throwaway database started by tests/support/pgserver.py;
#   - Debian's Chromium (/usr/bin/chromium), for browser tests;
#   - Debian's Redis server (/usr/bin/redis-server), for the shared rate-limit state in the
#     two-instance test (started by the tests on loopback; the package's own service is not used);
#   - the shared libraries WeasyPrint loads at run time (Pango, HarfBuzz,
#     fontconfig) and a font, so PDFs have glyphs.
#
# Idempotent: when everything is present it installs nothing, runs no apt-get
# and prints a single line.  Runs apt-get update only when something is
# missing (and once more, before a single retry, if the install fails).
# Uses sudo only when not root.
set -euo pipefail

# Debian package names.  WeasyPrint's docs for Debian >= 11 ("install inside a
# virtualenv using wheels"): libpango-1.0-0 libpangoft2-1.0-0
# libharfbuzz-subset0; Ubuntu's list adds libharfbuzz0b.  fontconfig and
# fonts-dejavu-core give it a configured font.
PACKAGES=(
  postgresql
  chromium
  redis-server
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz0b
  libharfbuzz-subset0
  libfontconfig1
  fontconfig
  fonts-dejavu-core
)

log() { printf 'system-deps: %s\n' "$*"; }

if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  log "not root and sudo not found; cannot install packages" >&2
  exit 1
fi

pkg_installed() {
  # "ii " = wanted install, status installed, no error flag.
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii " ]]
}

have_initdb() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
for p in "${PACKAGES[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
# Also check the files the tests use, in case a package is "installed" but
# its files were removed; reinstalling fixes that.
if ! have_initdb; then
  [[ " ${missing[*]} " == *" postgresql "* ]] || missing+=(postgresql)
fi
if [[ ! -x /usr/bin/chromium ]] && [[ " ${missing[*]} " != *" chromium "* ]]; then
  missing+=(chromium)
fi

if [[ ! -x /usr/bin/redis-server ]] && [[ " ${missing[*]} " != *" redis-server "* ]]; then
  missing+=(redis-server)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all present (postgresql, chromium, redis, weasyprint libraries); nothing to do"
  exit 0
fi

log "missing: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)

apt_update() {
  log "apt-get update"
  "${APT[@]}" update
}

apt_install() {
  "${APT[@]}" install -y --no-install-recommends "$@"
}

# A machine image's package lists are old (their .debs may be gone from the
# mirror), so refresh them before installing; ~2 s.  If the install still
# fails (lists changed in between, a transient mirror error), refresh again
# and retry once.
apt_update
if ! apt_install "${missing[@]}"; then
  log "install failed; refreshing package lists and retrying once"
  apt_update
  apt_install "${missing[@]}"
fi

# Packages said installed but files still absent (removed by hand): reinstall.
if ! have_initdb; then
  # The versioned server package (postgresql-15 on Debian 12) carries initdb.
  pgpkg=$(apt-cache depends postgresql 2>/dev/null | awk '/Depends: postgresql-[0-9]+$/ {print $2; exit}')
  pgpkg=${pgpkg:-postgresql-15}
  log "initdb still missing; reinstalling $pgpkg"
  apt_install --reinstall "$pgpkg"
fi
if [[ ! -x /usr/bin/chromium ]]; then
  log "/usr/bin/chromium still missing; reinstalling chromium"
  apt_install --reinstall chromium
fi

have_initdb || { log "initdb not found after install" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { log "/usr/bin/chromium not found after install" >&2; exit 1; }
[[ -x /usr/bin/redis-server ]] || { log "/usr/bin/redis-server not found after install" >&2; exit 1; }
log "done: installed ${missing[*]}"
