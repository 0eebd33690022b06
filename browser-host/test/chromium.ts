import puppeteer, { type Browser } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium, loopbackOnlyArgs } from "../src/chromium.js";

/**
 * The tests' browser: the same choice the host makes (CHROME_PATH, else the system's Chromium,
 * else the headless shell inside @sparticuz/chromium), so `npm test` needs no apt step.
 */
export async function launchChromium(): Promise<Browser> {
  const chromium = await findChromium(process.env.CHROME_PATH);
  // Every test page is on loopback: nothing the browser does by itself may leave the machine.
  return puppeteer.launch({
    executablePath: chromium.path,
    headless: true,
    args: [...CHROMIUM_ARGS, ...loopbackOnlyArgs(["http://127.0.0.1"])],
    pipe: true,
    defaultViewport: { width: 1280, height: 860 },
  });
}
