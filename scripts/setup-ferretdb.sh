#!/usr/bin/env bash
# Installs FerretDB 1.24.2 (a MongoDB-wire server) into the project's git-ignored .tools/bin,
# for machines where no MongoDB server or mongod binary can be had. Idempotent.
# Needs Go and the Go module proxy. `go install …@v1.24.2` is not used: it stops on the module
# proxy's version list here, and a build outside FerretDB's own tree panics for want of its
# build/version/version.txt, so the module's source is copied and built with that file written.
set -euo pipefail
version=v1.24.2
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin/ferretdb"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version: $version"; then
  echo "ferretdb $version already in $bin"
  exit 0
fi
command -v go >/dev/null || { echo "Go is needed to build FerretDB: install the Debian package golang (apt-get install golang) or Go from go.dev." >&2; exit 1; }
work="$root/.tools/build"
rm -rf "$work"; mkdir -p "$work/fetch" "$root/.tools/bin"
( cd "$work/fetch" && go mod init ferretdb-fetch >/dev/null 2>&1 && go get "github.com/FerretDB/FerretDB@$version" )
modcache="$(go env GOMODCACHE)"
src="$modcache/github.com/!ferret!d!b/!ferret!d!b@$version"
[ -d "$src" ] || { echo "FerretDB $version did not arrive in the Go module cache ($src)." >&2; exit 1; }
cp -r "$src" "$work/src"; chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"
( cd "$work/src" && go build -trimpath -o "$bin" ./cmd/ferretdb )
rm -rf "$work"
"$bin" --version | head -1
