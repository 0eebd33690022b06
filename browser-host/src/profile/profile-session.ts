import type { Browser, Page } from "puppeteer-core";
import type { HostConfig } from "../config.js";
import type { Logger } from "../log.js";
import { applyCookies, captureState, preparePage, type Identity } from "./apply-profile.js";
import { startBrowserProxy, type BrowserProxy } from "./browser-proxy.js";
import { compareEgress, measureEgress } from "./egress.js";
import { geoFor } from "./geo.js";
import { ProfileStore } from "./profile-store.js";
import {
  ProfileMetaSchema,
  StorageStateSchema,
  readJsonFile,
  readOptionalJsonFile,
  writeFileAtomic,
  type ProfileMeta,
  type StorageState,
} from "./storage-state.js";

/*
 * Everything the host does with its Google login: which profile, the browser's own proxy, the
 * egress check against where the login was made, the identity the browser shows (time zone,
 * locale, geolocation), and writing fresh cookies back — atomically, and never mid-job.
 */

export class EgressMismatchError extends Error {
  override readonly name = "EgressMismatchError";
}

export class ProfileSession {
  name: string | null = null;
  private state: StorageState | null = null;
  private meta: ProfileMeta | null = null;
  private file: string | null = null;
  proxy: BrowserProxy | null = null;
  identity: Identity | null = null;
  private readonly appOrigin: string;
  /** The country this host's egress was measured in at start (null when not measured). */
  private measuredCountry: string | null = null;
  /** Counts reloads, so a write-back that began before one does not overwrite the new profile. */
  private generation = 0;

  constructor(
    private readonly config: HostConfig,
    private readonly log: Logger,
  ) {
    this.appOrigin = new URL(config.AISTUDIO_URL).origin;
  }

  /** Loads the profile (PROFILE, else the active one) and starts the proxy forwarder. */
  async open(): Promise<void> {
    await this.load();
    if (this.config.PROXY_URL) {
      this.proxy = await startBrowserProxy(this.config.PROXY_URL);
      this.log.info("browser proxy", {
        upstream: this.proxy.display,
        via: this.proxy.server.startsWith("http://127.0.0.1") ? "local forwarder" : "direct",
      });
    }
  }

  /**
   * Reads the profile again (a remote sign-in saved a new one): its cookies, sidecar and
   * identity, for the lanes opened next. The proxy forwarder and the browser's flags stay; a
   * write-back already under way is not applied over the new profile.
   */
  async reload(): Promise<void> {
    this.generation += 1;
    await this.load();
  }

  /** The profile (PROFILE, else the active one), its sidecar and the identity they make. */
  private async load(): Promise<void> {
    const store = new ProfileStore(this.config.AUTH_DIR);
    let name: string | null;
    let file: string | null;
    if (this.config.PROFILE) {
      name = this.config.PROFILE;
      file = store.savedPath(name);
    } else {
      name = await store.activeName();
      file = name ? store.activePath(name) : null;
    }
    let state: StorageState | null = null;
    let meta: ProfileMeta | null = null;
    if (name && file) {
      state = await readJsonFile(file, StorageStateSchema, "storage-state profile");
      // No sidecar means no recorded egress (an imported profile); a corrupt one stops the start.
      meta = await readOptionalJsonFile(store.metaPath(name), ProfileMetaSchema, "profile sidecar");
      this.log.info("using profile", {
        profile: name,
        path: file,
        cookies: state.cookies.length,
        recordedCountry: meta?.country ?? null,
      });
    } else {
      this.log.warn(
        "no login profile: AI Studio will ask this browser to sign in (see npm run auth -- login, or sign in from the console)",
        { dir: store.root },
      );
    }
    const geo = geoFor(meta?.country ?? null, {
      timezone: meta?.timezone ?? null,
      locale: meta?.locale ?? null,
    });
    // Set together, after every read succeeded: a failed reload leaves the old profile whole.
    this.name = name;
    this.file = file;
    this.state = state;
    this.meta = meta;
    this.identity = geo ? { ...geo, userAgent: meta?.userAgent ?? null } : null;
  }

  /** Chromium flags for the proxy and locale. */
  launchArgs(): string[] {
    const args: string[] = [];
    if (this.proxy) {
      args.push(`--proxy-server=${this.proxy.server}`);
      // Chromium skips the proxy for loopback unless told not to; a login is never on loopback,
      // but a local AI Studio stand-in must take the same path as the real site would.
      args.push("--proxy-bypass-list=<-loopback>");
    }
    if (this.identity) args.push(`--lang=${this.identity.locale}`);
    return args;
  }

  /**
   * Readies a launched browser for this profile: it answers the proxy forwarder's challenge.
   * Idempotent; verifyEgress (the host's first step with each new browser) and preparePage
   * both call it, so no page can load before it is done.
   */
  async attachBrowser(browser: Browser): Promise<void> {
    await this.proxy?.authorize(browser);
  }

  /** Measures the egress through the browser and refuses a country other than the login's. */
  async verifyEgress(browser: Browser): Promise<void> {
    await this.attachBrowser(browser);
    let now;
    try {
      now = await measureEgress(browser, this.config.EGRESS_CHECK_URL);
    } catch (err) {
      const message = `could not measure this host's egress through ${this.config.EGRESS_CHECK_URL}: ${(err as Error).message}`;
      if (this.meta?.country && !this.config.ALLOW_EGRESS_MISMATCH)
        throw new EgressMismatchError(
          `${message}. Set EGRESS_CHECK_URL, or ALLOW_EGRESS_MISMATCH=1 to start anyway.`,
          { cause: err },
        );
      this.log.warn(message);
      return;
    }
    this.measuredCountry = now.country ?? null;
    const verdict = compareEgress(this.meta, now);
    if (verdict.ok) {
      this.log.info("egress checked", { ip: now.ip, country: now.country, note: verdict.note });
      return;
    }
    if (!this.config.ALLOW_EGRESS_MISMATCH)
      throw new EgressMismatchError(
        `Refusing to start: ${verdict.reason} (ALLOW_EGRESS_MISMATCH=1 starts anyway.)`,
      );
    this.log.warn(
      "egress country differs from the profile's; starting anyway (ALLOW_EGRESS_MISMATCH=1)",
      { reason: verdict.reason },
    );
  }

  /** Where this host's traffic leaves, for the pool's host list: as measured, else as recorded at login. */
  get egressCountry(): string | null {
    return this.measuredCountry ?? this.meta?.country ?? null;
  }

  /** A lane's new page, in its own context: the profile's cookies (as last written back), identity and storage. */
  async preparePage(page: Page): Promise<void> {
    await this.attachBrowser(page.browser());
    if (this.state) await applyCookies(page.browserContext(), this.state);
    await preparePage(page, this.state, this.identity, this.appOrigin);
  }

  /** Writes an idle lane's current cookies (and the app's localStorage) back to the profile file. */
  async writeBack(idlePage: Page): Promise<string | null> {
    if (!this.name || !this.file || !this.state) return null;
    const generation = this.generation;
    const fresh = await captureState(
      idlePage.browserContext(),
      idlePage,
      this.appOrigin,
      this.state,
    );
    // The page's cookies are the old profile's: a reload meanwhile made them stale.
    if (generation !== this.generation) return null;
    await writeFileAtomic(this.file, JSON.stringify(fresh, null, 2));
    // The saved copy follows the active one, so `auth list` and a restart see the fresh cookies.
    const saved = new ProfileStore(this.config.AUTH_DIR).savedPath(this.name);
    if (saved !== this.file) await writeFileAtomic(saved, JSON.stringify(fresh, null, 2));
    this.state = fresh;
    this.log.info("cookies written back", { profile: this.name, cookies: fresh.cookies.length });
    return this.file;
  }

  async close(): Promise<void> {
    await this.proxy?.close();
  }
}

export { ProfileMetaSchema };
