import type { Browser } from "puppeteer-core";
import { z } from "zod";
import { withTimeout } from "../driver/wait.js";

/*
 * The address the world sees this browser come from, measured through the browser itself (and
 * so through its proxy), from an IP echo service that answers like ipinfo.io's /json.
 */

export const DEFAULT_EGRESS_CHECK_URL = "https://ipinfo.io/json";

const EchoSchema = z
  .object({ ip: z.string(), country: z.string().optional(), timezone: z.string().optional() })
  .loose();
export type Egress = { ip: string; country: string | null; timezone: string | null };

export async function measureEgress(
  browser: Browser,
  url: string,
  timeoutMs = 20_000,
): Promise<Egress> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(url, { timeout: timeoutMs, waitUntil: "domcontentloaded" });
    if (!response || !response.ok())
      throw new Error(`the IP echo service ${url} answered ${response?.status() ?? "nothing"}`);
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (err) {
      throw new Error(`the IP echo service ${url} did not answer JSON`, { cause: err });
    }
    const parsed = EchoSchema.safeParse(body);
    if (!parsed.success)
      throw new Error(`the IP echo service ${url} did not answer {"ip", "country"} JSON`, {
        cause: parsed.error,
      });
    return {
      ip: parsed.data.ip,
      country: parsed.data.country?.toUpperCase() ?? null,
      timezone: parsed.data.timezone ?? null,
    };
  } finally {
    await withTimeout(context.close(), 5_000, undefined);
  }
}

export type EgressVerdict = { ok: true; note: string } | { ok: false; reason: string };

/** Same country as at login is what matters to Google; a changed IP in that country is fine. */
export function compareEgress(
  recorded: { egressIp: string | null; country: string | null } | null,
  now: Egress,
): EgressVerdict {
  if (!recorded || recorded.country === null)
    return {
      ok: true,
      note: `no egress was recorded for this profile; now ${now.ip} (${now.country ?? "country unknown"})`,
    };
  if (now.country !== null && now.country !== recorded.country.toUpperCase()) {
    return {
      ok: false,
      reason: `this host reaches the internet from ${now.country} (${now.ip}) but the profile's login was made from ${recorded.country}${recorded.egressIp ? ` (${recorded.egressIp})` : ""}. Google ties the login to where it was made: use a proxy exiting in ${recorded.country} (PROXY_URL), or make the login again through this one (npm run auth -- login).`,
    };
  }
  const same =
    recorded.egressIp === now.ip
      ? "same IP"
      : `IP changed from ${recorded.egressIp ?? "?"} to ${now.ip}`;
  return { ok: true, note: `egress ${now.country ?? "?"}, ${same}` };
}
