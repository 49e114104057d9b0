// A child process run to completion with its output collected (the built CLI, the build script), killed if it hangs.
import { spawn } from 'node:child_process';
import { ROOT } from './build';

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The built `rackpower` command with these arguments. */
export const runNode = (args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<Result> => run(process.execPath, args, env, timeoutMs);
