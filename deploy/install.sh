#!/usr/bin/env bash
# Installs e2e-endpoint on a Debian/Ubuntu box (idempotent: a second run changes nothing).
#   user e2e-endpoint; /opt/e2e-endpoint/{repo,releases/<commit>,current}; /var/lib/e2e-endpoint;
#   /etc/e2e-endpoint/endpoint.env (from the example, with generated tokens and HMAC secret);
#   systemd units and timers (enabled, not started); the polkit rule that lets the updater
#   and the watchdog restart the gateway, and polkitd, which applies it (installed when missing).
# Usage: install.sh [--dry-run] [--root DIR] [--source DIR] [--remote URL] [--skip-build] [--no-packages]
#   --dry-run      print what would be done, change nothing
#   --root DIR     install below DIR (a throwaway root; user, packages, ownership and systemctl steps are skipped)
#   --source DIR   the project checkout to install from (default: the one holding this script)
#   --remote URL   the git remote the updater follows (default: the source's origin, else the source)
#   --skip-build   do not install dependencies and build the release (it must be built already)
#   --no-packages  do not apt-get install missing packages (polkitd); say what is missing instead
set -euo pipefail

dry=0
root=""
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
remote=""
build=1
packages=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1; shift ;;
    --root) root=$(realpath -m "$2"); shift 2 ;;
    --source) source_dir=$(realpath "$2"); shift 2 ;;
    --remote) remote=$2; shift 2 ;;
    --skip-build) build=0; shift ;;
    --no-packages) packages=0; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

user=e2e-endpoint
opt="$root/opt/e2e-endpoint"
state="$root/var/lib/e2e-endpoint"
etc="$root/etc/e2e-endpoint"
units="$root/etc/systemd/system"
polkit="$root/etc/polkit-1/rules.d"
deploy="$source_dir/deploy"
system=1; [ -z "$root" ] || system=0

say() { printf '%s\n' "$*"; }
# run DESCRIPTION COMMAND…: does it (or, dry, says it would).
run() {
  local what=$1; shift
  if [ "$dry" = 1 ]; then say "would: $what"; else say "do: $what"; "$@"; fi
}
already() { say "ok: $*"; }

[ -f "$deploy/endpoint.env.example" ] || { echo "install.sh: $source_dir is not an e2e-endpoint checkout (no deploy/endpoint.env.example)." >&2; exit 1; }
if [ "$system" = 1 ] && [ "$(id -u)" != 0 ] && [ "$dry" = 0 ]; then
  echo "install.sh: run as root (or with --dry-run, or --root DIR)." >&2; exit 1
fi
[ -n "$remote" ] || remote=$(git -C "$source_dir" remote get-url origin 2>/dev/null || echo "$source_dir")

# 1. The service user.
if [ "$system" = 0 ]; then
  say "skip: user $user (not made below --root)"
elif id "$user" >/dev/null 2>&1; then
  already "user $user exists"
else
  run "create system user $user" useradd --system --home-dir /var/lib/e2e-endpoint --shell /usr/sbin/nologin --user-group "$user"
fi

# 2. Folders.
for dir in "$opt/releases" "$state/reports" "$etc/tls"; do
  if [ -d "$dir" ]; then already "folder $dir"; else run "create folder $dir" mkdir -p "$dir"; fi
done

# 3. The fetch clone the updater works from (bare, as updater/release-repository.ts keeps it).
if [ -f "$opt/repo/HEAD" ]; then
  already "fetch clone $opt/repo"
else
  run "clone $source_dir into $opt/repo (bare)" git clone --quiet --bare --no-hardlinks "$source_dir" "$opt/repo"
fi
if [ "$dry" = 0 ] && [ "$(git -C "$opt/repo" remote get-url origin)" != "$remote" ]; then
  run "point $opt/repo's origin at $remote" git -C "$opt/repo" remote set-url origin "$remote"
fi

# 4. The first release and the current link.
commit=$(git -C "$source_dir" rev-parse HEAD)
release="$opt/releases/$commit"
if [ -d "$release" ]; then
  already "release $commit"
else
  run "check out release $commit" git -C "$opt/repo" worktree add --quiet --detach "$release" "$commit"
  if [ "$build" = 1 ]; then
    # As the updater does (ENDPOINT_UPDATE_INSTALL/BUILD/PRUNE_COMMAND): the build needs the dev
    # dependencies, the release keeps the production ones only (no test tools, no mongod download).
    run "install dependencies in the release (npm ci)" bash -c "cd '$release' && MONGOMS_DISABLE_POSTINSTALL=1 npm ci --no-audit --no-fund >/dev/null"
    run "build the release (npm run build)" bash -c "cd '$release' && npm run --silent build"
    run "remove the dev dependencies from the release (npm prune --omit=dev)" bash -c "cd '$release' && npm prune --omit=dev --no-save --no-audit --no-fund >/dev/null"
  fi
  # The updater's marker of a complete release (updater/release-dir.ts).
  run "mark release $commit complete" bash -c "printf '{\"commit\": \"%s\", \"builtAt\": \"%s\", \"buildSeconds\": 0}\n' '$commit' \"\$(date -u +%Y-%m-%dT%H:%M:%SZ)\" > '$release/.endpoint-release.json'"
fi
if [ -L "$opt/current" ]; then
  already "current -> $(readlink "$opt/current")"
else
  run "link current -> releases/$commit" ln -s "releases/$commit" "$opt/current"
fi

# 5. The env file, with secrets generated once.
env_file="$etc/endpoint.env"
if [ -f "$env_file" ]; then
  already "env file $env_file (kept as it is)"
elif [ "$dry" = 1 ]; then
  say "would: write $env_file from the example, with a new ingest token, admin token and HMAC secret"
else
  say "do: write $env_file from the example, with a new ingest token, admin token and HMAC secret"
  {
    cat "$deploy/endpoint.env.example"
    printf '\n# --- Set by install.sh on %s ---\n' "$(date -u +%Y-%m-%d)"
    printf 'ENDPOINT_INGEST_TOKEN=%s\n' "$(openssl rand -hex 32)"
    printf 'ENDPOINT_ADMIN_TOKEN=%s\n' "$(openssl rand -hex 32)"
    printf 'ENDPOINT_HMAC_SECRET=%s\n' "$(openssl rand -hex 32)"
    printf 'ENDPOINT_STATE_DIR=/var/lib/e2e-endpoint\n'
    printf 'ENDPOINT_UPDATE_DEPLOY_DIR=/opt/e2e-endpoint\n'
    printf 'ENDPOINT_MONGODB_URL=mongodb://127.0.0.1:27017/\n'
    printf 'ENDPOINT_TLS_CERT=/etc/e2e-endpoint/tls/server.pem\nENDPOINT_TLS_KEY=/etc/e2e-endpoint/tls/server.key\nENDPOINT_HUB_CA=/etc/e2e-endpoint/tls/ca.pem\n'
    printf '# Only this hub identity (client certificate CN) may query; empty would let any certificate the CA signed in.\n'
    printf 'ENDPOINT_HUB_ALLOWED_SUBJECTS=research-hub\n'
  } > "$env_file"
  chmod 640 "$env_file"
fi

# 6. systemd units and the polkit rule.
install_file() { # source target mode
  if [ -f "$2" ] && cmp -s "$1" "$2"; then already "$2"; else run "install $2" install -D -m "$3" "$1" "$2"; fi
}
for unit in "$deploy"/systemd/*; do install_file "$unit" "$units/$(basename "$unit")" 644; done
install_file "$deploy/polkit/50-e2e-endpoint.rules" "$polkit/50-e2e-endpoint.rules" 644

# 7. polkitd: without it the polkit rule does nothing and every restart by the updater fails.
polkitd_present() { [ -x /usr/lib/polkit-1/polkitd ] || [ -x /usr/libexec/polkitd ] || command -v polkitd >/dev/null; }
if [ "$system" = 0 ]; then
  say "skip: polkitd (packages are not installed below --root)"
elif ! command -v systemctl >/dev/null || [ ! -d /run/systemd/system ]; then
  say "skip: polkitd (systemd is not running here; restart through the watchdog: see deploy/cron/e2e-endpoint-no-systemd.crontab)"
elif polkitd_present; then
  already "polkitd installed"
elif [ "$packages" = 1 ]; then
  run "install polkitd (applies the polkit rule that lets $user restart the gateway)" bash -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq polkitd >/dev/null"
else
  say "MISSING: polkitd is not installed; the updater's restart of e2e-gateway will fail until it is (apt-get install polkitd)"
fi

# 8. Ownership, and the units enabled (not started: first set the database, MongoDB and certificates).
if [ "$system" = 1 ]; then
  run "give $user the state folder and the deployment" chown -R "$user:$user" /var/lib/e2e-endpoint /opt/e2e-endpoint
  run "let $user read the configuration" chgrp -R "$user" /etc/e2e-endpoint
  for key in /etc/e2e-endpoint/tls/server.key; do
    if [ -f "$key" ]; then run "let $user read $key" chmod 640 "$key"; fi
  done
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    run "reload systemd" systemctl daemon-reload
    run "enable the gateway, the watchdog and the timers" systemctl enable e2e-gateway.service e2e-watchdog.service e2e-export.timer e2e-update.timer
    if polkitd_present && ! systemctl is-active --quiet polkit; then run "start polkitd" systemctl start polkit; fi
  else
    say "skip: systemctl (systemd is not running here)"
  fi
else
  say "skip: ownership and systemctl (not done below --root)"
fi

say ""
say "Next: edit $env_file (OSCAR database URL with a SELECT-only account, MongoDB URL, clinic id),"
say "make certificates with deploy/tls.sh (request/sign/install with the network's CA), load deploy/nftables.conf, then"
say "systemctl start e2e-gateway e2e-watchdog and run a first export: endpoint export run --full."
