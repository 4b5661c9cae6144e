#!/usr/bin/env node
/**
 * `npm run test:busy [-- N]`: runs `npm test` N times in a row (default 3, or TEST_BUSY_RUNS) while a busy loop keeps
 * one core at 100%, the way a CI machine shared with another job does. Prints each run's wall time and outcome, and
 * exits non-zero if any run failed. Bounded: the busy loop ends with this script (or by itself when this script is
 * gone, or after the overall limit), and a run still going after the limit is stopped and counted as failed.
 *
 * Settings (env): TEST_BUSY_RUNS (default 3), TEST_BUSY_LIMIT_MIN, the limit per run in minutes (default 10).
 */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const runs = Number(process.argv[2] ?? process.env.TEST_BUSY_RUNS ?? 3);
const limitMinutes = Number(process.env.TEST_BUSY_LIMIT_MIN ?? 10);
if (!Number.isInteger(runs) || runs < 1 || !(limitMinutes > 0)) {
  console.error(`test:busy: the number of runs must be a positive integer (got ${process.argv[2] ?? process.env.TEST_BUSY_RUNS}) and TEST_BUSY_LIMIT_MIN a positive number`);
  process.exit(2);
}
const overallDeadline = Date.now() + runs * limitMinutes * 60_000;

// The load: one process spinning on one core. It checks about twice a second that this script is still alive and that
// the overall limit has not passed, so it never outlives the run even if this script is killed with SIGKILL.
const BUSY = `
const parent = ${process.pid};
const deadline = ${overallDeadline + 60_000};
const parentGone = () => {
  try {
    process.kill(parent, 0);
    return false;
  } catch {
    return true;
  }
};
let spins = 0;
for (;;) {
  if (++spins % 50_000_000 === 0 && (Date.now() > deadline || parentGone())) process.exit(0);
}
`;
const busy = spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' });
const stopBusy = () => {
  if (busy.exitCode === null && busy.signalCode === null) busy.kill('SIGKILL');
};
process.on('exit', stopBusy);

let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopBusy();
    if (current && current.exitCode === null) process.kill(-current.pid, 'SIGTERM');
    process.exit(130);
  });
}

/** One `npm test`, in a process group of its own so that a run past the limit is stopped with everything it started. */
function runOnce(index) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['test'], { cwd: ROOT, stdio: 'inherit', detached: true, env: process.env });
    current = child;
    const limit = Math.min(limitMinutes * 60_000, Math.max(overallDeadline - Date.now(), 0));
    const timer = setTimeout(() => {
      console.error(`test:busy: run ${index} is still going after ${limitMinutes} min: stopping it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, limit);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ index, ok: code === 0, code, signal, seconds: (Date.now() - started) / 1000 });
    });
  });
}

(async () => {
  console.log(`test:busy: ${runs} run(s) of npm test with one core kept busy (pid ${busy.pid})`);
  const results = [];
  for (let index = 1; index <= runs; index += 1) {
    const result = await runOnce(index);
    results.push(result);
    console.log(`test:busy: run ${index}/${runs} ${result.ok ? 'passed' : `FAILED (${result.signal ?? `exit ${result.code}`})`} in ${result.seconds.toFixed(1)} s`);
  }
  stopBusy();
  const failed = results.filter((result) => !result.ok);
  console.log(`test:busy: ${results.length - failed.length}/${results.length} passed; wall times ${results.map((result) => `${result.seconds.toFixed(1)} s`).join(', ')}`);
  process.exit(failed.length ? 1 : 0);
})();
