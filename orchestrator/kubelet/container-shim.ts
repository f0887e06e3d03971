/**
 * The container shim: `node container-shim.js [--cwd DIR] -- <program> <args…>`, started by the
 * process runtime as the leader of the container's process group. It runs the program in that
 * group, tells the kubelet the program's pid on fd 3, and exits with the program's exit code
 * (128 + N for a death by signal N).
 *
 * Why it exists: Node cannot ask the kernel to kill a child when its parent dies
 * (PR_SET_PDEATHSIG), yet a node whose kubelet is SIGKILLed must lose its pods. fd 3 is a socket
 * whose other end only the kubelet holds; when the kubelet dies, however it dies, the shim reads
 * EOF and SIGKILLs the whole group.
 *
 * Protocol on fd 3, one JSON object per line: `{"pid":N}` once the program runs, or
 * `{"error":"…"}` when it could not be started (the shim then exits 128).
 */
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';

const argv = process.argv.slice(2);
let cwd: string | undefined;
while (argv.length > 0 && argv[0] !== '--') {
  const flag = argv.shift();
  if (flag === '--cwd') cwd = argv.shift();
}
argv.shift();
const [command, ...args] = argv;

const control = new Socket({ fd: 3, readable: true, writable: true });

function killGroup(): never {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader (started by hand): at least the shim goes.
  }
  process.exit(137);
}

// The kubelet is gone: a lost node loses its pods.
control.on('end', killGroup);
control.on('close', killGroup);
control.on('error', killGroup);
control.resume();

// A stop signal goes to the whole group; the program decides what it means, the shim waits for it.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

if (!command) {
  control.write(JSON.stringify({ error: 'no command given' }) + '\n', () => process.exit(128));
} else {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd, env: process.env });
  child.once('spawn', () => control.write(JSON.stringify({ pid: child.pid }) + '\n'));
  child.once('error', (e) => {
    control.write(JSON.stringify({ error: `failed to start ${command}: ${e.message}` }) + '\n', () =>
      process.exit(128),
    );
  });
  child.once('exit', (code, signal) => {
    const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
    control.removeAllListeners();
    control.end(() => process.exit(exitCode));
    setTimeout(() => process.exit(exitCode), 200).unref();
  });
}
