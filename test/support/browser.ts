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

/** Marks the title of a suite skipped for want of Chromium; test/support/skipped-browser-reporter.js looks for it. */
export const NEEDS_CHROMIUM = '[needs Chromium]';

/**
 * `describe` for a suite that needs Chromium: without it (and only outside CI, see locateChromium) the suite is
 * skipped, its title marked NEEDS_CHROMIUM, and the run ends with one line naming what did not run and how to get it.
 */
export function describeInBrowser(): jest.Describe {
  if (locateChromium()) return describe;
  const skip = ((title: string, body: () => void) => describe.skip(`${title} ${NEEDS_CHROMIUM}`, body)) as jest.Describe;
  return skip;
}

/** The little of the DOM reading a PNG back needs (the project compiles without the DOM library). */
interface CanvasDom {
  readonly Image: new () => { src: string; readonly width: number; readonly height: number; decode(): Promise<void> };
  readonly document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(image: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, width: number, height: number): { readonly data: Uint8ClampedArray };
      } | null;
    };
  };
}

/**
 * A screenshot read back in the browser itself (no image package needed): the colour at its middle as #rrggbb, how
 * many colours it has (a blank page has one or two), and whether every pixel is opaque.
 */
export async function readPng(page: { evaluate<R, A>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> }, png: Buffer): Promise<{ middle: string; colours: number; opaque: boolean }> {
  return page.evaluate(async (base64: string) => {
    const { Image, document } = globalThis as unknown as CanvasDom;
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    const colours = new Set<number>();
    let opaque = true;
    for (let offset = 0; offset < data.length; offset += 4) {
      colours.add((data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!);
      if (data[offset + 3] !== 255) opaque = false;
    }
    const at = (Math.floor(image.height / 2) * image.width + Math.floor(image.width / 2)) * 4;
    const hex = (value: number) => value.toString(16).padStart(2, '0');
    return { middle: `#${hex(data[at]!)}${hex(data[at + 1]!)}${hex(data[at + 2]!)}`, colours: colours.size, opaque };
  }, png.toString('base64'));
}
