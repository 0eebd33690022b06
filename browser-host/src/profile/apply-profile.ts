import type { Browser, BrowserContext, CookieData, Page } from "puppeteer-core";
import { acceptLanguage } from "./geo.js";
import type { StorageState } from "./storage-state.js";

/*
 * Puts a profile into the browser: its cookies (browser-wide), its localStorage (written into
 * each origin's storage before that origin's first script runs), and the look of the place the
 * login was made from: time zone, locale and Accept-Language, and a geolocation in that
 * country.
 */

export interface Identity {
  timezone: string;
  locale: string;
  latitude: number;
  longitude: number;
  /** The user agent the login was made with, when recorded. */
  userAgent?: string | null;
}

/** Sets the profile's cookies in a browser's default context, or in one lane's own context. */
export async function applyCookies(
  target: Browser | BrowserContext,
  state: StorageState,
): Promise<void> {
  const cookies: CookieData[] = state.cookies.map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    ...(c.expires > 0 ? { expires: c.expires } : {}),
    httpOnly: c.httpOnly,
    secure: c.secure,
    ...(c.sameSite ? { sameSite: c.sameSite } : {}),
  }));
  if (cookies.length > 0) await target.setCookie(...cookies);
}

/** Prepares a page: identity overrides now, stored localStorage on every matching origin load. */
export async function preparePage(
  page: Page,
  state: StorageState | null,
  identity: Identity | null,
  appOrigin: string,
): Promise<void> {
  // A headless browser says so in its user agent, which sites treat differently: look like the
  // browser the login was made with, or at least like an ordinary Chrome.
  const userAgent =
    identity?.userAgent ?? (await page.browser().userAgent()).replace("HeadlessChrome", "Chrome");
  const cdp = await page.createCDPSession();
  await cdp.send("Emulation.setUserAgentOverride", {
    userAgent,
    ...(identity ? { acceptLanguage: acceptLanguage(identity.locale) } : {}),
  });
  if (identity) {
    await page.emulateTimezone(identity.timezone);
    // Best effort: --lang (launchArgs) already sets the browser's language; this adds Intl's
    // locale where this Chromium supports overriding it.
    await cdp
      .send("Emulation.setLocaleOverride", { locale: identity.locale })
      .catch(() => undefined);
    await page.browserContext().overridePermissions(appOrigin, ["geolocation"]);
    await page.setGeolocation({
      latitude: identity.latitude,
      longitude: identity.longitude,
      accuracy: 50,
    });
  }
  const entries = state?.origins ?? [];
  if (entries.length > 0) {
    await page.evaluateOnNewDocument(
      (
        origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>,
      ) => {
        const mine = origins.find((o) => o.origin === location.origin);
        if (!mine) return;
        const marker = "__aistudio_edge_profile_applied";
        // Only once per origin and browser session, so the page's own later changes are kept.
        if (sessionStorage.getItem(marker)) return;
        for (const { name, value } of mine.localStorage)
          if (localStorage.getItem(name) === null) localStorage.setItem(name, value);
        sessionStorage.setItem(marker, "1");
      },
      entries,
    );
  }
}

/** The current cookies (of a browser's default context, or a lane's) and the app origin's localStorage. */
export async function captureState(
  source: Browser | BrowserContext,
  page: Page | null,
  appOrigin: string,
  previous: StorageState | null,
): Promise<StorageState> {
  const cookies = (await source.cookies()).map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    expires: c.expires,
    httpOnly: c.httpOnly === true,
    secure: c.secure,
    // Chromium's "Default" means unset; storage states only know the three real values.
    ...(c.sameSite === "Strict" || c.sameSite === "Lax" || c.sameSite === "None"
      ? { sameSite: c.sameSite }
      : {}),
  }));
  let origins = previous?.origins ?? [];
  if (page && !page.isClosed() && new URL(page.url()).origin === appOrigin) {
    const localStorage = await page.evaluate(() =>
      Object.entries({ ...window.localStorage }).map(([name, value]) => ({
        name,
        value: String(value),
      })),
    );
    origins = [
      ...origins.filter((o) => o.origin !== appOrigin),
      { origin: appOrigin, localStorage },
    ];
  }
  return { ...(previous ?? {}), cookies, origins };
}
