#!/usr/bin/env bash
# Installs what the end-to-end suite needs, outside the checkout: Debian's chromium, ripgrep and libkrb5-dev, and
# code-server (a real VS Code in the browser) built from the npm registry. Idempotent: a finished install is reused.
# Usage: test/e2e/setup.sh   (prints the code-server directory on its last line)
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.117.0}"
CACHE="${FIELDWORK_E2E_CACHE:-$HOME/.cache/fieldwork-e2e}"
ROOT="$CACHE/code-server-$VERSION"
CS="$ROOT/node_modules/code-server"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
# code-server ≥ 4.103 needs Node 22: the one the project installs in node_modules/.bin.
export PATH="$REPO/node_modules/.bin:$PATH"
log() { echo "[e2e setup] $*" >&2; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v g++ >/dev/null || need_apt+=(g++ make python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

if [ -f "$ROOT/.complete" ]; then echo "$CS"; exit 0; fi

log "installing code-server $VERSION into $ROOT (about two minutes)"
rm -rf "$ROOT"; mkdir -p "$ROOT"; cd "$ROOT"
echo '{"name":"fieldwork-e2e-code-server","private":true}' > package.json
# Its postinstall refuses root without unsafe-perm and downloads from GitHub: skip it and do its steps here.
export npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# nodejs.org is not reachable for node-gyp's headers: build against the headers installed with the system's Node
# when there are no cached ones (the native modules here use N-API, which is stable across versions).
NODE_MAJOR="$(node -p 'process.versions.node')"
if [ ! -d "$HOME/.cache/node-gyp/$NODE_MAJOR" ] && [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
npm install --ignore-scripts --no-save "code-server@$VERSION" >&2
(cd "$CS" && npm rebuild argon2 --build-from-source >&2)
VS="$CS/lib/vscode"
(cd "$VS" && npm install --omit=dev --ignore-scripts >&2 && npm rebuild node-pty @vscode/spdlog @parcel/watcher native-watchdog kerberos >&2)
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VS/node_modules.asar"
ln -sfn code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VS/bin/helpers/browser.sh"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts >&2)
touch "$ROOT/.complete"
log "done"
echo "$CS"
