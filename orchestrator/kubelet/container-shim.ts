import { CONFINE_TOOLS } from '../api/pod-confinement.js';

/**
 * The container shim: a few lines of POSIX sh that the process runtime starts as the leader of
 * the container's process group, around the program. It tells the kubelet the program's pid on
 * fd 3 and exits with the program's exit code (128 + N for a death by signal N).
 *
 * Why it exists: Node cannot ask the kernel to kill a child when its parent dies
 * (PR_SET_PDEATHSIG), yet a node whose kubelet is SIGKILLed must lose its pods. fd 3 is a socket
 * whose other end only the kubelet holds; when the kubelet dies, however it dies, the shim's
 * watcher reads EOF and SIGKILLs the whole group.
 *
 * Why sh and not Node: a container start then costs a fork of dash (about a millisecond), not a
 * second Node.js start (tens of milliseconds of CPU), which decided pod start-up latency.
 *
 * Protocol on fd 3, one JSON object per line: `{"pid":N}` once the program runs, or
 * `{"error":"…"}` when it could not be started (the shim then exits 128).
 */
export const CONTAINER_SHIM_SCRIPT = `
if [ "$1" = "--cwd" ]; then
  cd "$2" 2>/dev/null || { printf '{"error":"cannot enter working directory %s"}\\n' "$2" >&3; exit 128; }
  shift 2
fi
[ "$1" = "--" ] && shift
if ! command -v "$1" >/dev/null 2>&1; then
  printf '{"error":"failed to start %s: not found or not executable"}\\n' "$1" >&3
  exit 128
fi
# The kubelet is gone (EOF on fd 3): a lost node loses its pods.
( read -r _ <&3; kill -KILL 0 ) &
watcher=$!
# Stop signals reach the whole group; the program decides what they mean, the shim waits for it.
# A handler (not "ignore") so the program gets the default dispositions.
trap ':' TERM INT HUP
"$@" 3>&- &
pid=$!
printf '{"pid":%d}\\n' "$pid" >&3
while :; do
  wait "$pid"
  code=$?
  kill -0 "$pid" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
exit "$code"
`;

/** The command line that runs `command args…` under the shim, in `workingDir` when given. */
export function shimCommandLine(
  command: string,
  args: string[],
  workingDir?: string,
): { file: string; argv: string[] } {
  return {
    file: '/bin/sh',
    argv: [
      '-c',
      CONTAINER_SHIM_SCRIPT,
      'container-shim',
      ...(workingDir ? ['--cwd', workingDir] : []),
      '--',
      command,
      ...args,
    ],
  };
}

/** A folder (or file) of the node shown at `target` inside one confined container. */
export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Who a confined container runs as, and what is mounted for it alone. */
export interface Confinement {
  uid: number;
  gid: number;
  /** A folder bind-mounted at /var/run/secrets in the container's own mount namespace. */
  secretsDir?: string;
  /** The pod's volumes as this container mounts them, after the secrets; targets exist already. */
  mounts?: BindMount[];
}

/**
 * Runs as root inside a private mount namespace (unshare): mounts the pod's secrets at
 * /var/run/secrets, where in-cluster clients look for their service account token, and its
 * volumes where the container's volumeMounts say (read-only ones remounted so), then becomes the
 * pod's user with no capabilities and no way to gain any (setpriv), and execs the shim. Every
 * step execs, so the shim keeps the pid the runtime spawned: the process group and the pid
 * reported on fd 3 stay as they are without confinement. Paths never reach the error messages,
 * which are JSON: a mount that fails is named by its position.
 */
const CONFINE_SCRIPT = `
secrets=$1 uid=$2 gid=$3 mounts=$4
shift 4
if [ -n "$secrets" ] && ! /usr/bin/mount --bind "$secrets" /var/run/secrets 2>/dev/null; then
  printf '{"error":"cannot mount the service account token at /var/run/secrets"}\\n' >&3
  exit 128
fi
i=0
while [ "$i" -lt "$mounts" ]; do
  if ! /usr/bin/mount --bind "$1" "$2" 2>/dev/null; then
    printf '{"error":"cannot mount volume mount %d of the container"}\\n' "$i" >&3
    exit 128
  fi
  if [ "$3" = ro ] && ! /usr/bin/mount -o remount,bind,ro "$2" 2>/dev/null; then
    printf '{"error":"cannot make volume mount %d of the container read-only"}\\n' "$i" >&3
    exit 128
  fi
  shift 3
  i=$((i + 1))
done
exec /usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
`;

/** The shim's command line wrapped so that the container runs confined (see CONFINE_SCRIPT). */
export function confinedCommandLine(
  shim: { file: string; argv: string[] },
  confinement: Confinement,
): { file: string; argv: string[] } {
  const mounts = confinement.mounts ?? [];
  return {
    file: CONFINE_TOOLS.unshare,
    argv: [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      CONFINE_SCRIPT,
      'confine',
      confinement.secretsDir ?? '',
      String(confinement.uid),
      String(confinement.gid),
      String(mounts.length),
      ...mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']),
      shim.file,
      ...shim.argv,
    ],
  };
}
