// Long-running commands (sim, watch, traps, mqtt) run until Ctrl-C or a service manager's SIGTERM, then close cleanly.

/** Resolves on SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
