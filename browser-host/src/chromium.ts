import { existsSync } from "node:fs";

/*
 * Which Chromium to run: CHROME_PATH, else the system's, else (tests and the demo on a machine
 * without one) the headless shell inside the npm package @sparticuz/chromium. The log says which.
 */

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // A hidden tab must keep its timers and network running: lanes are never in the foreground.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
  // Chromium's own calls home (autofill, time, hints, reporting): none of them serve a lane.
  "--disable-client-side-phishing-detection",
  "--disable-domain-reliability",
  "--no-pings",
  "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
];

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const isLoopback = (url: string) => {
  try {
    const host = new URL(url).hostname;
    return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
  } catch {
    return false;
  }
};

/**
 * The flags for a browser whose every target is on this machine (the simulator in the demo and
 * the tests): Chromium then resolves no name at all, so the services it starts by itself
 * (component updates, account checks), which no flag fully turns off, cannot reach off the
 * machine. Against the real AI Studio the list is empty.
 */
export function loopbackOnlyArgs(targets: string[]): string[] {
  return targets.length > 0 && targets.every(isLoopback)
    ? ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]"]
    : [];
}

const SYSTEM = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

export interface ChromiumChoice {
  path: string;
  source: "CHROME_PATH" | "system" | "@sparticuz/chromium";
}

export async function findChromium(chromePath: string | undefined): Promise<ChromiumChoice> {
  if (chromePath !== undefined && chromePath !== "") {
    if (!existsSync(chromePath)) throw new Error(`CHROME_PATH=${chromePath} does not exist.`);
    return { path: chromePath, source: "CHROME_PATH" };
  }
  const system = SYSTEM.find((p) => existsSync(p));
  if (system) return { path: system, source: "system" };
  try {
    const mod = (await import("@sparticuz/chromium")) as {
      default: { executablePath(): Promise<string> };
    };
    return { path: await mod.default.executablePath(), source: "@sparticuz/chromium" };
  } catch (err) {
    throw new Error(
      `No Chromium found: set CHROME_PATH, or install Debian's chromium (apt-get install chromium). (${(err as Error).message})`,
      { cause: err },
    );
  }
}
