import type { Browser, BrowserContext, Page } from "puppeteer-core";
import type { AiStudioPage } from "../driver/aistudio-page.js";
import { captureState } from "./apply-profile.js";
import type { Egress } from "./egress.js";
import type { ProfileStore } from "./profile-store.js";
import type { ProfileMeta, StorageState } from "./storage-state.js";

/*
 * The end of a sign-in, wherever it was made (`npm run auth -- login` on a desktop, or the edge's
 * console through remote sign-in): what the browser looked like from outside and from inside
 * (the sidecar), its cookies and the app's localStorage (the profile), saved under one name.
 */

/**
 * Whether a sign-in is over: the page is on AI Studio's origin, not a sign-in page or a region
 * block, and shows the chat's prompt box. A page mid-navigation is simply not there yet.
 */
export async function showsSignedInChat(ui: AiStudioPage, appOrigin: string): Promise<boolean> {
  try {
    if (new URL(ui.page.url()).origin !== appOrigin || (await ui.signInReason())) return false;
    return await ui.locate.has("promptTextarea");
  } catch {
    // The page navigated (or closed) under the look: asked again on the next one.
    return false;
  }
}

export interface SavedLogin {
  path: string;
  state: StorageState;
  meta: ProfileMeta;
}

export async function saveLogin(options: {
  store: ProfileStore;
  name: string;
  /** Where the cookies are: the login browser's default context, or the sign-in's own context. */
  cookies: Browser | BrowserContext;
  /** The page that loaded AI Studio signed in (its localStorage is kept, its identity recorded). */
  page: Page;
  appOrigin: string;
  /** The egress measured through the same browser, when it could be. */
  egress: Egress | null;
  source: ProfileMeta["source"];
}): Promise<SavedLogin> {
  const { page, egress } = options;
  const seen = await page.evaluate(() => ({
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: navigator.language,
    userAgent: navigator.userAgent,
  }));
  const meta: ProfileMeta = {
    egressIp: egress?.ip ?? null,
    country: egress?.country ?? null,
    timezone: egress?.timezone ?? seen.timezone,
    locale: seen.locale,
    userAgent: seen.userAgent,
    created: new Date().toISOString(),
    source: options.source,
  };
  const state = await captureState(options.cookies, page, options.appOrigin, null);
  const path = await options.store.save(options.name, state, meta);
  return { path, state, meta };
}
