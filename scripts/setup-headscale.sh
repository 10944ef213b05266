#!/usr/bin/env bash
# Builds the Headscale versions that the end-to-end tests run, into a cache outside the checkout.
#
# Usage: scripts/setup-headscale.sh [VERSION ...]   (default: the versions in test/headscale-versions.txt)
# Cache: $HEADSUP_HEADSCALE_CACHE, default ~/.cache/headsup/headscale; each version lands in
# <cache>/vX.Y.Z/headscale and is reused when present.
#
# Each binary prints its own version like the official release does: releases up to 0.25 take the
# version through -X .../cmd/headscale/cli.Version, 0.26 through -X .../hscontrol/types.Version, and
# from 0.27 on Headscale reads it from Go's build info, so no flag is needed.
# Where Go is missing, the official release binary is downloaded and checked against checksums.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${HEADSUP_HEADSCALE_CACHE:-$HOME/.cache/headsup/headscale}
mkdir -p "$cache"

if [ "$#" -eq 0 ]; then
  mapfile -t versions < <(grep -v '^#' "$here/test/headscale-versions.txt" | grep -v '^$')
else
  versions=("$@")
fi

ldflags_for() {
  local version=$1 minor
  minor=$(echo "$version" | cut -d. -f2)
  if [ "$minor" -le 25 ]; then
    echo "-X github.com/juanfont/headscale/cmd/headscale/cli.Version=$version"
  elif [ "$minor" -eq 26 ]; then
    echo "-X github.com/juanfont/headscale/hscontrol/types.Version=${version#v}"
  fi
}

build_with_go() {
  local version=$1 target=$2 ldflags module=github.com/juanfont/headscale modcache dir tmp
  ldflags=$(ldflags_for "$version")
  modcache=$(go env GOMODCACHE)
  # The module proxy serves tagged versions but may refuse the version list that a plain
  # `go install module@version` reads for deprecation notices. So the module and its
  # dependencies are fetched first (checked against the checksum database as usual), and
  # the install then reads them from the local module cache.
  dir=$(GOTOOLCHAIN=local go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || return 1
  (cd "$dir" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go mod download) || return 1
  tmp=$(mktemp -d "$cache/.build-XXXXXX")
  # GOTOOLCHAIN=local: never fetch another toolchain behind the operator's back.
  if ! GOBIN="$tmp" GOPROXY="file://$modcache/cache/download" GOSUMDB=off GOTOOLCHAIN=local \
      GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      go install -ldflags "$ldflags" "$module/cmd/headscale@$version"; then
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$(dirname "$target")"
  mv "$tmp/headscale" "$target"
  rm -rf "$tmp"
}

download_release() {
  local version=$1 target=$2 arch asset base tmp
  command -v curl >/dev/null || return 1
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) return 1 ;; esac
  asset="headscale_${version#v}_linux_${arch}"
  base="https://github.com/juanfont/headscale/releases/download/$version"
  tmp=$(mktemp -d "$cache/.download-XXXXXX")
  if ! curl -fsSL -o "$tmp/$asset" "$base/$asset" || ! curl -fsSL -o "$tmp/checksums.txt" "$base/checksums.txt"; then
    rm -rf "$tmp"
    return 1
  fi
  if ! (cd "$tmp" && grep " $asset\$" checksums.txt | sha256sum -c --status); then
    echo "setup-headscale: $asset does not match checksums.txt of $version; refusing to use it" >&2
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$(dirname "$target")"
  chmod 0755 "$tmp/$asset"
  mv "$tmp/$asset" "$target"
  rm -rf "$tmp"
}

for version in "${versions[@]}"; do
  target="$cache/$version/headscale"
  if [ -x "$target" ]; then
    echo "setup-headscale: $version cached at $target"
    continue
  fi
  echo "setup-headscale: building $version"
  if command -v go >/dev/null && build_with_go "$version" "$target"; then
    echo "setup-headscale: built $version"
  elif download_release "$version" "$target"; then
    echo "setup-headscale: downloaded and verified $version"
  else
    echo "setup-headscale: could not build or download Headscale $version; install Go 1.26+ or allow access to the release downloads" >&2
    exit 1
  fi
done
