// Two linked pseudo-terminals from socat: a serial line for RTU tests, one end for the client, one for the devices.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

export async function startPtyPair(): Promise<PtyPair> {
  const tag = Math.random().toString(36).slice(2, 10);
  const a = `/tmp/rp-ptyA-${tag}`;
  const b = `/tmp/rp-ptyB-${tag}`;
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (socat.exitCode === null && socat.pid !== undefined) {
      socat.kill('SIGTERM');
      await exited;
    }
  };
  const failed = new Promise<never>((_, reject) =>
    socat.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ENOENT' ? 'socat is required for the RTU tests: apt-get install socat' : `socat: ${err.message}`)),
    ),
  );
  const end = Date.now() + 5000;
  const ready = (async () => {
    while (!(existsSync(a) && existsSync(b))) {
      if (Date.now() > end) throw new Error('timed out waiting for socat to create its ptys');
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    await Promise.race([failed, ready]);
  } catch (err) {
    await close();
    throw err;
  }
  return { a, b, close };
}
