import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMAND_TIMEOUT_MS, SERVER_START_TIMEOUT_MS } from './timeouts.ts';

/** The `stacks` command as a new user runs it. */
export const STACKS_BIN = fileURLToPath(new URL('../bin/stacks.js', import.meta.url));

/** A running `stacks serve` process and what it printed. */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything printed to standard output so far. */
  output(): string;
  /** The milliseconds from spawn to the printed URL. */
  startupMs: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A clean environment for a child: no test variables, only what the test sets. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env };
}

/** What one `stacks` command did. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `stacks` command as a user would: a clean environment plus `env`, in `cwd`, with `input` on
 * standard input. A command still running after {@link COMMAND_TIMEOUT_MS} is killed and throws with what
 * it printed, so a hang fails its test instead of blocking the whole run.
 */
export function runStacks(
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): CommandResult {
  const result = spawnSync(process.execPath, [STACKS_BIN, ...args], {
    env: childEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: COMMAND_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (result.error)
    throw new Error(`stacks ${args.join(' ')}: ${result.error.message}\n${result.stdout}\n${result.stderr}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `stacks serve` on a free port and waits until it prints the address it serves on. */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = SERVER_START_TIMEOUT_MS,
): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [STACKS_BIN, 'serve'], {
    env: childEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}\n${err}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /serving on (http:\/\/localhost:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    child,
    baseUrl,
    startupMs: performance.now() - started,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Logs in over HTTP and returns the Cookie header value. */
export async function loginOver(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}
