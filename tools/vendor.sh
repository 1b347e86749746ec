#!/usr/bin/env bash
# `make vendor`: fetch the browser libraries Gongjian serves, once, from the npm registry, into the package's static
# files with their licence, and check them against the checksums recorded here. The files are committed: a district
# installing Gongjian fetches nothing, builds nothing, and no page loads anything from outside.
#
# To move a library to another version: change its line below, run `make vendor UPDATE=1` (which records the new
# checksums in the SHA256SUMS file next to it), read the library's changelog, run the browser tests, commit.
set -euo pipefail
cd "$(dirname "$0")/.."

# name  version  files to keep (paths inside the npm package)  →  destination
LIBRARIES=(
  "echarts 5.6.0 dist/echarts.min.js,LICENSE,NOTICE src/gongjian/core/static/core/vendor/echarts"
)

for line in "${LIBRARIES[@]}"; do
  read -r name version files dest <<<"$line"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tar -xzf "$work/$name-$version.tgz" -C "$work"
  mkdir -p "$dest"
  IFS=, read -ra keep <<<"$files"
  for file in "${keep[@]}"; do
    cp "$work/package/$file" "$dest/$(basename "$file")"
  done
  echo "$name $version from https://registry.npmjs.org/$name/-/$name-$version.tgz" >"$dest/VERSION"
  if [ "${UPDATE:-0}" = 1 ] || [ ! -f "$dest/SHA256SUMS" ]; then
    (cd "$dest" && sha256sum $(for f in "${keep[@]}"; do basename "$f"; done) >SHA256SUMS)
    echo "vendored $name $version into $dest (checksums recorded in $dest/SHA256SUMS)"
  else
    (cd "$dest" && sha256sum --check --quiet SHA256SUMS) || {
      echo "$name $version from the registry does not match $dest/SHA256SUMS: not using it" >&2
      git checkout -- "$dest" 2>/dev/null || true
      exit 1
    }
    echo "$name $version in $dest: checksums match"
  fi
  rm -rf "$work"
  trap - EXIT
done
