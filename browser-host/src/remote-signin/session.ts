import {
  TokenBucket,
  type OutHostFrame,
  type SignInInput,
  type SignInState,
  type SignInViewport,
} from "@aistudio-edge/shared";
import type { Browser, BrowserContext, CDPSession, Page } from "puppeteer-core";
import type { HostConfig } from "../config.js";
import { AiStudioPage } from "../driver/aistudio-page.js";
import type { SelectorCatalog } from "../driver/selector-overrides.js";
import { waitFor, withTimeout } from "../driver/wait.js";
import type { Logger } from "../log.js";
import { preparePage } from "../profile/apply-profile.js";
import { measureEgress } from "../profile/egress.js";
import { normalizeProfileName } from "../profile/profile-name.js";
import type { ProfileSession } from "../profile/profile-session.js";
import { ProfileStore } from "../profile/profile-store.js";
import { saveLogin, showsSignedInChat } from "../profile/save-login.js";
import { InputMapper, dispatch } from "./input.js";
import { Screencast } from "./screencast.js";

/*
 * One remote sign-in: a fresh browser context in the host's running browser (so through its
 * proxy, with its identity), on AI Studio's chat, which sends a signed-out browser to Google's
 * sign-in. Its screen streams to the pool and the operator's input comes back, until AI Studio
 * loads signed in: then the context's login is saved as the host's profile, the state says
 * `signed_in`, and the context closes (the host then reloads its lanes). A stop, the idle
 * timeout, the hard limit or a failure end it too, with `closed` or `failed`.
 *
 * What the operator types travels in `signin.input` frames only: it is never logged, never put
 * in an error or a state's detail, and the location sent back has no query (Google's can carry
 * the e-mail address).
 */

/** How the operator's input is limited: this many events a second, this many at once. */
const INPUT_PER_SECOND = 100;
const INPUT_BURST = 200;

export interface SignInSessionDeps {
  config: HostConfig;
  log: Logger;
  browser: Browser;
  profile: ProfileSession;
  catalog: SelectorCatalog;
  send(frame: OutHostFrame): boolean;
}

export type SignInEnd =
  { state: "signed_in"; profile: string } | { state: "closed" | "failed"; detail: string };

/** The profile a sign-in is saved as: PROFILE, the one in use, the host's id, or "default". */
export function signInProfileName(config: HostConfig, current: string | null): string {
  if (config.PROFILE) return normalizeProfileName(config.PROFILE);
  if (current) return normalizeProfileName(current);
  try {
    return normalizeProfileName(config.HOST_ID);
  } catch {
    // HOST_ID may hold a '.', which profile names do not.
    return "default";
  }
}

/** A page's origin and path: no query, no fragment (either can hold what was typed). */
export function locationOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin === "null" ? u.protocol : u.origin}${u.pathname}`.slice(0, 256);
  } catch {
    return "";
  }
}

/** A failure's message for the operator: short, with no URL query (where typed text could be). */
function reason(prefix: string, err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/\?[^\s"')]*/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
  return `${prefix}: ${message}`;
}

export class SignInSession {
  /** Settles with how the session ended; never rejects. */
  readonly done: Promise<SignInEnd>;
  private ended: SignInEnd | null = null;
  private resolveDone!: (end: SignInEnd) => void;
  private readonly controller = new AbortController();
  private context: BrowserContext | null = null;
  private page: Page | null = null;
  private cdp: CDPSession | null = null;
  private screencast: Screencast | null = null;
  private readonly mapper = new InputMapper();
  private readonly bucket = new TokenBucket(INPUT_BURST, INPUT_PER_SECOND, Date.now());
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly maxTimer: NodeJS.Timeout;
  private location: string | null = null;
  private opened = false;
  private dropped = 0;
  private readonly log: Logger;
  private readonly appOrigin: string;

  constructor(
    readonly id: string,
    private readonly viewport: SignInViewport,
    private readonly deps: SignInSessionDeps,
  ) {
    this.log = deps.log.child({ signin: id });
    this.appOrigin = new URL(deps.config.AISTUDIO_URL).origin;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.maxTimer = setTimeout(
      () => void this.end("closed", "time limit reached (SIGNIN_MAX_MS)"),
      deps.config.SIGNIN_MAX_MS,
    );
    void this.run();
  }

  /** Applies one input event of the operator's (dropped before the page shows, or over the limit). */
  input(input: SignInInput): void {
    const cdp = this.cdp;
    if (this.ended || !this.opened || !cdp) return;
    if (!this.bucket.take(Date.now())) {
      // Counted, and said once per burst; what the events were is not.
      if (this.dropped++ === 0) this.log.debug("sign-in input over the rate limit; dropping");
      return;
    }
    this.dropped = 0;
    this.touch();
    for (const call of this.mapper.map(input)) {
      dispatch(cdp, call).catch(() => {
        // The page navigated or closed under the event; the operator sees the screen and retries.
        this.log.debug("a sign-in input event was not applied", { kind: input.kind });
      });
    }
  }

  /** Re-sends where the session is (to a console that asked to start the same session again). */
  resendState(): void {
    if (this.opened && !this.ended) this.state("opened", undefined, this.location ?? undefined);
  }

  /** Ends the session (idempotent): says so to the pool, and closes its context. */
  async end(state: "closed" | "failed", detail: string): Promise<void> {
    if (this.ended) return this.done.then(() => undefined);
    this.finish({ state, detail });
    this.state(state, detail);
    await this.dispose();
  }

  private finish(end: SignInEnd): void {
    this.ended = end;
    this.controller.abort(end.state === "signed_in" ? "signed in" : end.detail);
    clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
    const counts = this.screencast?.counts();
    this.log.info("remote sign-in ended", {
      state: end.state,
      ...(end.state === "signed_in" ? { profile: end.profile } : { detail: end.detail }),
      ...(counts ? { framesPainted: counts.painted, framesSent: counts.sent } : {}),
    });
  }

  /** Stops the cast and closes the context; again after run() unwinds, for one made meanwhile. */
  private async dispose(): Promise<void> {
    await this.screencast?.stop();
    const context = this.context;
    this.context = null;
    if (context) await withTimeout(context.close(), 5_000, undefined);
    this.resolveDone(this.ended!);
  }

  /** Restarts the idle timeout: from the first screen on, while waiting for the operator. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => void this.end("closed", "idle"),
      this.deps.config.SIGNIN_IDLE_MS,
    );
  }

  private state(state: SignInState, detail?: string, location?: string): void {
    this.deps.send({
      type: "signin.state",
      sessionId: this.id,
      state,
      ...(detail !== undefined ? { detail: detail.slice(0, 512) } : {}),
      ...(location ? { location } : {}),
    });
  }

  private async run(): Promise<void> {
    let step = "could not open the sign-in page";
    try {
      await this.open();
      if (this.ended) return;
      step = "the sign-in did not finish";
      const { config } = this.deps;
      const ui = new AiStudioPage(
        this.page!,
        config.AISTUDIO_URL,
        config.PAGE_TIMEOUT_MS,
        this.log,
        this.deps.catalog,
      );
      await waitFor(() => showsSignedInChat(ui, this.appOrigin), {
        what: "AI Studio to load signed in",
        timeoutMs: config.SIGNIN_MAX_MS,
        signal: this.controller.signal,
        intervalMs: 500,
      });
      if (this.ended) return;
      // Signed in: the operator has nothing left to do, so idleness no longer ends the session.
      clearTimeout(this.idleTimer);
      step = "could not save the profile";
      const profile = await this.save();
      if (this.ended) return;
      this.finish({ state: "signed_in", profile });
      this.state("signed_in", `saved profile ${profile}`, this.location ?? undefined);
    } catch (err) {
      // A stop, the idle timeout or a crash ended it already; the abort is how this learnt.
      if (this.ended) return;
      this.log.warn("remote sign-in failed", { step, error: reason("error", err) });
      await this.end("failed", reason(step, err));
    } finally {
      // A context (or page) created after the session ended is closed here.
      if (this.ended) await this.dispose();
    }
  }

  private async open(): Promise<void> {
    const { browser, config, profile } = this.deps;
    // The proxy forwarder's challenge is answered browser-wide, this new context included.
    await profile.attachBrowser(browser);
    this.context = await browser.createBrowserContext();
    if (this.ended) return;
    const page = await this.context.newPage();
    this.page = page;
    await page.setViewport({ width: this.viewport.width, height: this.viewport.height });
    // The host's identity (time zone, locale, place, user agent); no cookies: a fresh sign-in.
    await preparePage(page, null, profile.identity, this.appOrigin);
    page.on("error", () => void this.end("failed", "the sign-in page crashed"));
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) this.moved();
    });
    page.on("requestfailed", (request) => {
      const error = request.failure()?.errorText ?? "failed";
      // A navigation that another replaced is aborted, which is no failure.
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
      if (error === "net::ERR_ABORTED") return;
      void this.end("failed", `a sign-in page did not load (${error})`);
    });
    this.cdp = await page.createCDPSession();
    await page.goto(`${config.AISTUDIO_URL}/prompts/new_chat`, {
      waitUntil: "domcontentloaded",
      timeout: config.PAGE_TIMEOUT_MS,
    });
    if (this.ended) return;
    this.screencast = new Screencast(
      this.cdp,
      this.viewport,
      config.SIGNIN_MAX_FPS,
      (frame) => void this.deps.send({ type: "signin.frame", sessionId: this.id, ...frame }),
      this.log,
    );
    this.opened = true;
    this.touch();
    this.location = locationOf(page.url());
    this.state("opened", undefined, this.location);
    this.log.info("remote sign-in opened", { location: this.location });
    await this.screencast.start();
  }

  /** The page navigated: the console's address bar follows. */
  private moved(): void {
    if (!this.opened || this.ended || !this.page) return;
    const location = locationOf(this.page.url());
    if (location === this.location) return;
    this.location = location;
    this.log.debug("sign-in page navigated", { location });
    this.state("opened", undefined, location);
  }

  /** The context's login as the host's profile, with the egress it was made from. */
  private async save(): Promise<string> {
    const { browser, config, profile } = this.deps;
    const egress = await measureEgress(browser, config.EGRESS_CHECK_URL).catch((err: unknown) => {
      this.log.warn("could not measure the egress for the new profile", {
        error: reason(config.EGRESS_CHECK_URL, err),
      });
      return null;
    });
    const name = signInProfileName(config, profile.name);
    const store = new ProfileStore(config.AUTH_DIR);
    const saved = await saveLogin({
      store,
      name,
      cookies: this.context!,
      page: this.page!,
      appOrigin: this.appOrigin,
      egress,
      source: "remote-signin",
    });
    const active = await store.activeName();
    if (active === null || active === name) await store.activate(name);
    this.log.info("remote sign-in saved the profile", {
      profile: name,
      path: saved.path,
      country: saved.meta.country,
      active: active === null || active === name,
    });
    return name;
  }
}
