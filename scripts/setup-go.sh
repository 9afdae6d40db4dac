#!/usr/bin/env bash
# Finds Go and the sources of etcd 3.4's Go client and e2e tests (GOPATH layout under
# /usr/share/gocode), and installs them when it can. Used by the benchmarks (the Go client side by
# side), the service-discovery interop test and etcd's own etcdctl e2e suite.
#
# Order: `go` on PATH with /usr/share/gocode/src/go.etcd.io/etcd present, else (as root with
# apt-get) Debian's golang-go and golang-etcd-server-dev packages. Prints the path of `go` on
# stdout; everything else on stderr. Exits 1 with what to install when none of that works.
set -euo pipefail

say() { printf 'setup-go: %s\n' "$*" >&2; }
SOURCES=/usr/share/gocode/src/go.etcd.io/etcd

if command -v go >/dev/null 2>&1 && [ -d "$SOURCES/clientv3" ] && [ -d "$SOURCES/tests/e2e" ]; then
  command -v go; exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's golang-go and golang-etcd-server-dev packages (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends golang-go golang-etcd-server-dev >&2; then
    apt-get update >&2
    apt-get install -y --no-install-recommends golang-go golang-etcd-server-dev >&2
  fi
  if command -v go >/dev/null 2>&1 && [ -d "$SOURCES/clientv3" ]; then command -v go; exit 0; fi
fi

cat >&2 <<'MSG'
setup-go: Go or the etcd 3.4 Go sources are missing.
  Install them with:
    - Debian/Ubuntu:  sudo apt-get install golang-go golang-etcd-server-dev
MSG
exit 1
