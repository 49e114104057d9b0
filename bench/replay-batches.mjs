// What the replay tools (hot-path.mjs, nut-path.mjs) share: a batch's CPU per read, and the median over batches.

/**
 * CPU µs per read over `batch` reads of `read` (an async function with `prepare(n)`, which makes the next n reads'
 * reply copies). The copies are made `chunk` reads at a time, outside the clock: few enough to be fresh in memory, as
 * a library's own output is when the reader gets it, and cheap to leave out of the figure.
 */
export async function batchCpuUs(read, batch, chunk) {
  let used = 0;
  for (let done = 0; done < batch; done += chunk) {
    const reads = Math.min(chunk, batch - done);
    read.prepare(reads);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reads; i++) await read();
    const cpu = process.cpuUsage(cpu0);
    used += cpu.user + cpu.system;
  }
  return used / batch;
}

export function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
