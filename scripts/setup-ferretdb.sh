#!/usr/bin/env bash
# Installs FerretDB 1.24.2 (a MongoDB-wire server) into the project's git-ignored .tools/bin,
# for machines where no MongoDB server or mongod binary can be had. Idempotent.
# Needs Go and the Go module proxy. `go install …@v1.24.2` is not used: it stops on the module
# proxy's version list here, and a build outside FerretDB's own tree panics for want of its
# build/version/version.txt, so the module's source is copied and built with that file written.
# One patch is applied: the SQLite backend looks documents up by `_ferretdb_sjson->'$._id'` while
# its unique _id index is on `_ferretdb_sjson->"_id"`, so SQLite never uses the index and every
# lookup, replace and delete by _id scans the whole collection (113 ms at 20,000 documents,
# 0.9 ms patched). The patch writes the lookup the way the index is written.
set -euo pipefail
version=v1.24.2
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin/ferretdb"
package=e2e-endpoint-id-index-patch
installed=$([ -x "$bin" ] && "$bin" --version 2>/dev/null || true)
if [[ "$installed" == *"version: $version"* && "$installed" == *"package: $package"* ]]; then
  echo "ferretdb $version ($package) already in $bin"
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
echo "$package" > "$work/src/build/version/package.txt"
metadata="$work/src/internal/backends/sqlite/metadata/metadata.go"
sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$metadata"
grep -q 'IDColumn = DefaultColumn + `->"_id"`' "$metadata" || { echo "The FerretDB _id index patch did not apply to $metadata." >&2; exit 1; }
( cd "$work/src" && go build -trimpath -o "$bin" ./cmd/ferretdb )
rm -rf "$work"
built=$("$bin" --version)
echo "built ferretdb: ${built%%$'\n'*} ($package)"
