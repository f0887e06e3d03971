/**
 * Keeps a component running until SIGTERM or SIGINT, then stops it once and exits 0. A component
 * started as PID 1 in a container would otherwise ignore SIGTERM.
 */
export function runUntilSignal(stop: () => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`received ${signal}, stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`stop failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
