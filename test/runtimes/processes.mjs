// Child processes for the runtime check: each runs in its own process group,
// because node_modules/.bin/deno and node_modules/.bin/bun are wrappers (a
// Node script, a shell script) whose real runtime is a grandchild; killing
// the group is the only way to stop all of it.
import { spawn } from 'node:child_process';

const running = new Set();
process.on('exit', () => {
  for (const child of running) killGroup(child);
});

export function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts `command`; its output is collected in `child.output.stdout` / `.stderr`. */
export function start(command, args, { cwd, env = {} } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text) => (child.output.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (child.output.stderr += text));
  child.exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ status: null, signal: null, error }));
    child.once('close', (status, signal) => resolve({ status, signal, error: null }));
  });
  running.add(child);
  child.exited.then(() => running.delete(child));
  return child;
}

/** Runs `command` to completion (or kills it after `timeoutMs`). */
export async function run(command, args, { timeoutMs, ...options }) {
  const started = Date.now();
  const child = start(command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, timeoutMs);
  const { status, signal, error } = await child.exited;
  clearTimeout(timer);
  killGroup(child); // grandchildren of a wrapper that exited
  return { status, signal, error, timedOut, ...child.output, milliseconds: Date.now() - started };
}

/** Resolves when the child prints a line matching `pattern` (with the match), rejects on exit or timeout. */
export function waitForLine(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(child.output.stdout);
      if (match) done(null, match);
    };
    let settled = false;
    const done = (error, match) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', check);
      if (error) reject(error);
      else resolve(match);
    };
    child.stdout.on('data', check);
    child.exited.then(({ status, signal, error }) => done(new Error(`exited (${error?.message ?? status ?? signal}) before printing a line matching ${pattern}`)));
    check();
  });
}
