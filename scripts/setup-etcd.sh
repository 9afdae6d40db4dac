#!/usr/bin/env bash
# Finds an etcd server binary for the tests, the demo and CI, and installs one when it can.
#
# Order: $ETCD_BIN, then `etcd` on PATH, then (as root with apt-get) Debian's etcd-server and
# etcd-client packages. Prints the path of the etcd binary on stdout; everything else on stderr.
# Exits 1 with the exact thing to install when none of that works.
set -euo pipefail

say() { printf 'setup-etcd: %s\n' "$*" >&2; }

have_etcdctl() { command -v etcdctl >/dev/null 2>&1 || [ -n "${ETCDCTL_BIN:-}" ]; }

if [ -n "${ETCD_BIN:-}" ]; then
  if [ -x "$ETCD_BIN" ]; then echo "$ETCD_BIN"; exit 0; fi
  say "ETCD_BIN=$ETCD_BIN is not an executable file"; exit 1
fi

if command -v etcd >/dev/null 2>&1 && have_etcdctl; then
  command -v etcd; exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's etcd-server and etcd-client packages (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # The package would start a system etcd on 127.0.0.1:2379; the tests start their own, so keep
  # the service from starting during the install (policy-rc.d answers "not now" to invoke-rc.d).
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    guard=/usr/sbin/policy-rc.d
  fi
  trap '[ -n "$guard" ] && rm -f "$guard"' EXIT
  if ! apt-get install -y --no-install-recommends etcd-server etcd-client >&2; then
    apt-get update >&2
    apt-get install -y --no-install-recommends etcd-server etcd-client >&2
  fi
  if command -v etcd >/dev/null 2>&1; then command -v etcd; exit 0; fi
fi

if command -v etcd >/dev/null 2>&1; then
  say "warning: etcd found but not etcdctl; the interop tests need it (Debian: apt-get install etcd-client)"
  command -v etcd; exit 0
fi

cat >&2 <<'MSG'
setup-etcd: no etcd server found.
  Install one of:
    - Debian/Ubuntu:  sudo apt-get install etcd-server etcd-client
    - any system:     an etcd v3.4+ release binary, then export ETCD_BIN=/path/to/etcd
                      (and put etcdctl on PATH for the interop tests)
MSG
exit 1
