import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { isLocalHost } from './network-guard';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright never downloads a browser of its own here. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep Chromium to the page it is shown: without the background-networking ones it phones Google
 * (component updates, field trials, safe browsing) at every start, which this machine's closed network refuses.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  // Even with the flags above, Debian's Chromium 156 still looks up accounts.google.com, update.googleapis.com and
  // content-autofill.googleapis.com at start (seen with strace: DNS queries to the machine's resolver). Its own
  // resolver answers "not found" for every name but loopback, so nothing is asked off the machine; a page that wants
  // another host still shows up in the recorded requests (and fails with ERR_NAME_NOT_RESOLVED).
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

export interface LaunchedChromium extends AsyncDisposable {
  /** A browser profile of its own, made for this launch. */
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Where Chromium is: PLUGBOARD_CHROMIUM, else /usr/bin/chromium. When it is missing: with CI=true this throws (the
 * browser tests must run in CI); otherwise it answers undefined so the caller can skip with a warning.
 */
export function locateChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = env.PLUGBOARD_CHROMIUM || DEFAULT_CHROMIUM;
  if (existsSync(executable)) return executable;
  if (env.CI === 'true') {
    throw new Error(
      `Chromium is not at ${executable}, and CI=true requires the browser tests to run: install Debian's chromium ` +
        '(apt-get install -y chromium) or point PLUGBOARD_CHROMIUM at a Chromium binary.',
    );
  }
  return undefined;
}

/** Headless Chromium with a fresh, empty profile, and no network of its own beyond the pages it is sent to. */
export async function launchChromium(executablePath = locateChromium()): Promise<LaunchedChromium> {
  if (!executablePath) {
    throw new Error(`Chromium is not installed (looked for PLUGBOARD_CHROMIUM, then ${DEFAULT_CHROMIUM}).`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'plugboard-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1280, height: 800 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const close = async (): Promise<void> => {
    try {
      await context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  };
  return { context, close, [Symbol.asyncDispose]: close };
}

/** Whether a URL a page asked for stays on this machine: loopback over http(s)/ws(s), or inline data. */
export function isLocalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) return false;
  return isLocalHost(parsed.hostname);
}
