import puppeteer, { type Browser } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium } from "../src/chromium.js";

/**
 * The tests' browser: the same choice the host makes (CHROME_PATH, else the system's Chromium,
 * else the headless shell inside @sparticuz/chromium), so `npm test` needs no apt step.
 */
export async function launchChromium(): Promise<Browser> {
  const chromium = await findChromium(process.env.CHROME_PATH);
  return puppeteer.launch({ executablePath: chromium.path, headless: true, args: CHROMIUM_ARGS, defaultViewport: { width: 1280, height: 860 } });
}
