import puppeteer, { type Browser } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium, loopbackOnlyArgs, type ChromiumChoice } from "./chromium.js";
import type { HostConfig } from "./config.js";
import type { Logger } from "./log.js";
import type { ProfileSession } from "./profile/profile-session.js";

/*
 * Chromium as the host runs it: the chosen binary, the host's flags, the profile's proxy and
 * locale, DevTools over a pipe, no proxy variables from the environment, and the egress checked
 * through the browser before any page loads. The host and `npm run self-check` both start it
 * here, so what the self-check sees is what the host's lanes would see.
 */

export interface LaunchedBrowser {
  browser: Browser;
  chromium: ChromiumChoice;
}

type LaunchConfig = Pick<
  HostConfig,
  "CHROME_PATH" | "HEADLESS" | "AISTUDIO_URL" | "EGRESS_CHECK_URL"
>;

/**
 * Launches Chromium for an opened profile and verifies its egress (a refusal closes the browser
 * and is thrown). `onDisconnected` is attached before the egress check, as the host needs it.
 */
export async function launchBrowser(
  config: LaunchConfig,
  profile: ProfileSession,
  log: Logger,
  onDisconnected?: () => void,
): Promise<LaunchedBrowser> {
  const chromium = await findChromium(config.CHROME_PATH);
  log.info("starting Chromium", {
    path: chromium.path,
    source: chromium.source,
    headless: config.HEADLESS,
  });
  const browser = await puppeteer.launch({
    executablePath: chromium.path,
    headless: config.HEADLESS,
    args: [
      ...CHROMIUM_ARGS,
      ...loopbackOnlyArgs([config.AISTUDIO_URL, config.EGRESS_CHECK_URL]),
      ...profile.launchArgs(),
    ],
    defaultViewport: { width: 1280, height: 900 },
    // DevTools over a pipe, not a port: no other local user can drive the signed-in browser.
    pipe: true,
    // The process environment's proxy variables must not reach the browser (DESIGN.md).
    env: Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k)),
    ) as Record<string, string>,
  });
  if (onDisconnected) browser.on("disconnected", onDisconnected);
  try {
    await profile.verifyEgress(browser);
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
  return { browser, chromium };
}
