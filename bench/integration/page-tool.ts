import path from 'node:path';
import { environmentOf } from '../../src/estate/connections';
import { seedEstate } from '../../src/estate/seed-estate';
import { generateEstate } from '../../src/systems/kit/seed';
import type { StackOptions } from '../../src/runtime/start-stack';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { pinSelf } from '../kit/child';
import { startEstateChild, type EstateChild } from './estate-child';
import { StackProbe } from './probe';

/** What a page tool works on: part b's stack, its estate and the probe that asks and counts. */
export interface PageToolStack {
  readonly stack: TestStack;
  readonly estate: EstateChild;
  readonly probe: StackProbe;
}

/**
 * Part b's stack for the page tools (profile-page, trace-page, shape-page): the estate in a child on CPU 0, the whole
 * product here on CPU 1, seeded with the example estate; closed when `work` ends, however it ends.
 */
export async function withPageToolStack(options: Pick<StackOptions, 'responseCache'>, work: (on: PageToolStack) => Promise<void>): Promise<void> {
  const estate = await startEstateChild('0');
  let stack: TestStack | undefined;
  const probe = new StackProbe(() => stack!, estate.window);
  pinSelf('1');
  try {
    stack = await startTestStack(environmentOf(estate.connections, path.join(estate.dir, 'pki')), { onCall: probe.onCall, ...options });
    await seedEstate(stack.db, generateEstate());
    await work({ stack, estate, probe });
  } finally {
    await stack?.close();
    await estate.stop();
  }
}

/** Runs a tool's `main` and ends the process: 0 when it finished, 1 (the error on stderr) when it threw. */
export function runTool(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
