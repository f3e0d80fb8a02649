#!/usr/bin/env bash
# npm run deploy (scripts/deploy.mjs) picks the companion's migration from what the account holds, with a fake
# wrangler that logs its commands: a new account gets the classes created, an existing gateway gets them
# transferred, and a check that fails (no login) deploys nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/wrangler" <<'FAKE'
#!/usr/bin/env bash
echo "$*" >> "$LOG"
if [ "$1" = deployments ]; then
  case "$ACCOUNT" in
    existing) echo '[]'; exit 0 ;;
    new) echo 'A request to the Cloudflare API failed. This Worker does not exist on your account. [code: 10007]' >&2; exit 1 ;;
    offline) echo 'Not logged in.' >&2; exit 1 ;;
  esac
fi
FAKE
chmod +x "$tmp/wrangler"
case_of() { LOG="$tmp/$1.log" ACCOUNT="$1" WRANGLER="$tmp/wrangler" node scripts/deploy.mjs > "$tmp/$1.out" 2>&1; }
fail() { echo "FAIL: $*"; cat "$tmp"/*.log 2>/dev/null; exit 1; }

case_of new || fail 'a new account did not deploy'
grep -qx 'deploy -c wrangler.companion.toml --env observed' "$tmp/new.log" || fail 'a new account: not the observed companion'
tail -n1 "$tmp/new.log" | grep -qx 'deploy --env observed' || fail 'a new account: the gateway not last'

case_of existing || fail 'an existing account did not deploy'
grep -qx 'deploy -c wrangler.companion.toml --env transfer' "$tmp/existing.log" || fail 'an existing gateway: not the transfer'
tail -n1 "$tmp/existing.log" | grep -qx 'deploy --env observed' || fail 'an existing account: the gateway not last'

if case_of offline; then fail 'a failed check deployed'; fi
[ "$(grep -c '^deploy ' "$tmp/offline.log" || true)" = 0 ] || fail 'a failed check ran a deploy'
echo 'ok - npm run deploy: new account (classes created), existing gateway (transferred), failed check (nothing deployed)'
