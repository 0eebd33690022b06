import { randomBytes } from "node:crypto";
import type { Browser } from "puppeteer-core";
import type {
  HelloFrame,
  HostState,
  JobFrame,
  OutHostFrame,
  PoolFrame,
} from "@aistudio-edge/shared";
import { launchBrowser } from "./browser-launch.js";
import type { HostConfig } from "./config.js";
import { DriverError } from "./driver/errors.js";
import { waitFor } from "./driver/wait.js";
import {
  loadSelectorOverrides,
  withOverrides,
  type SelectorCatalog,
} from "./driver/selector-overrides.js";
import { SELECTORS } from "./driver/selectors.js";
import { JobRelay } from "./job-relay.js";
import { Lane, type LaneHooks } from "./lane.js";
import type { Logger } from "./log.js";
import { hostModels } from "./models.js";
import { PoolLink } from "./pool-link.js";
import { ProfileSession } from "./profile/profile-session.js";
import { writeFileAtomic } from "./profile/storage-state.js";
import { RemoteSignIn } from "./remote-signin/remote-signin.js";
import { serveSnapshot } from "./snapshot-serve.js";

export const HOST_VERSION = "0.2.0";

/*
 * The browser host's supervisor: one Chromium, LANES pages, the link to the pool. It gives a job
 * only to a free healthy lane (the job's relay does the rest), tells the pool its state on every
 * change, stops taking jobs when the login has expired, and relaunches a dead browser with
 * backoff (reporting `degraded` meanwhile). Quota cool-downs are the pool's: the host only
 * reports the quota error. An operator can sign it in from the console (remote-signin/), after
 * which it reopens its lanes on the new profile; failure snapshots are sent when asked for.
 */

export class BrowserHost {
  private browser: Browser | null = null;
  private lanes: Lane[] = [];
  private link: PoolLink;
  private state: HostState = "degraded";
  private detail = "starting";
  private readonly running = new Map<string, JobRelay>();
  /**
   * Jobs that ended or were refused lately: pieces of their attachments still on the wire are
   * dropped quietly rather than answered as frames for an unknown job (bounded, oldest first).
   */
  private readonly ended = new Set<string>();
  /** Random per process: tells the pool a reconnect of this process from a second process. */
  private readonly instanceId = randomBytes(8).toString("hex");
  /** The built-in selectors, with SELECTORS_FILE's candidates ahead of them (read at start). */
  private catalog: SelectorCatalog = SELECTORS;
  private relaunches = 0;
  private stopping = false;
  private readonly profile: ProfileSession;
  private readonly signin: RemoteSignIn;
  private writeBackTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: HostConfig,
    private readonly log: Logger,
    private readonly events: { onRefused?: (why: string) => void } = {},
  ) {
    this.profile = new ProfileSession(config, log);
    this.signin = new RemoteSignIn(config, log, this.profile, () => this.catalog, {
      browser: () => this.browser,
      refusal: () => (this.stopping || this.state === "draining" ? "the host is stopping" : null),
      send: (frame) => this.send(frame),
      signedIn: () => this.reloadProfile(),
    });
    this.link = new PoolLink({
      url: config.POOL_URL,
      token: config.HOST_TOKEN,
      log,
      hello: () => this.hello(),
      onFrame: (frame) => this.onFrame(frame),
      onDown: (why) => this.onLinkDown(why),
      onRefused: (why) => this.onRefused(why),
    });
  }

  private healthyLanes(): number {
    return this.lanes.filter((l) => l.healthy || l.busy).length;
  }

  async start(): Promise<void> {
    if (this.config.SELECTORS_FILE) {
      const overrides = loadSelectorOverrides(this.config.SELECTORS_FILE);
      this.catalog = withOverrides(overrides);
      this.log.info("selector overrides loaded", {
        file: this.config.SELECTORS_FILE,
        concepts: Object.keys(overrides.candidates).join(","),
      });
    }
    await this.profile.open();
    await this.launch();
    this.link.start();
    this.writeBackTimer = setInterval(
      () => void this.writeBack("periodic"),
      this.config.COOKIE_WRITEBACK_MS,
    );
    if (this.config.STATUS_FILE)
      this.statusTimer = setInterval(() => void this.writeStatusFile(), 5_000);
  }

  /** Fresh cookies to the profile, only while no job runs (a job may be mid-way through a login refresh). */
  async writeBack(why: string): Promise<void> {
    if (!this.browser?.connected || this.running.size > 0) return;
    const idle = this.lanes.find((l) => l.free)?.page;
    if (!idle || idle.isClosed()) return;
    try {
      await this.profile.writeBack(idle);
    } catch (err) {
      this.log.warn("could not write cookies back", { why, error: (err as Error).message });
    }
  }

  private async writeStatusFile(): Promise<void> {
    if (!this.config.STATUS_FILE) return;
    const snapshot = { ...this.snapshot(), detail: this.detail, at: new Date().toISOString() };
    await writeFileAtomic(this.config.STATUS_FILE, JSON.stringify(snapshot)).catch(() => undefined);
  }

  private async launch(): Promise<void> {
    const { browser } = await launchBrowser(
      this.config,
      this.profile,
      this.log,
      () => void this.onBrowserGone(),
    );
    this.browser = browser;
    await this.openLanes();
    this.relaunches = 0;
  }

  /** Makes LANES new lanes on the running browser, opens them, and reports how that went. */
  private async openLanes(): Promise<void> {
    const hooks: LaneHooks = {
      prepare: (page) => this.profile.preparePage(page),
      onCrash: (lane) => void this.reopen(lane),
    };
    this.lanes = Array.from(
      { length: this.config.LANES },
      (_, i) => new Lane(i, this.config, this.log, hooks, this.catalog),
    );
    const results = await Promise.allSettled(this.lanes.map((lane) => lane.open(this.browser!)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) {
      const err = failure.reason as Error;
      if (err instanceof DriverError && err.code === "auth_expired")
        return this.setState("auth_expired", err.message);
      this.log.error("a lane failed to open", { error: err.message });
    }
    this.setState(
      this.healthyLanes() > 0 ? "ready" : "degraded",
      this.healthyLanes() === this.lanes.length ? undefined : "some lanes failed to open",
    );
  }

  /**
   * After a remote sign-in saved the profile: no lane takes a job from now on, running jobs end
   * (within DRAIN_TIMEOUT_MS), then new lanes open with the new cookies and the pool hears the
   * hello again, with the models (a host that started signed out never loaded any).
   */
  private async reloadProfile(): Promise<void> {
    if (this.stopping || this.state === "draining" || !this.browser?.connected) return;
    const old = this.lanes;
    this.lanes = [];
    this.setState("degraded", "loading the profile of a remote sign-in");
    await waitFor(() => this.running.size === 0, {
      what: "running jobs to end",
      timeoutMs: this.config.DRAIN_TIMEOUT_MS,
    }).catch(() => {
      for (const relay of this.running.values()) relay.controller.abort("the login changed");
    });
    // A profile that cannot be read leaves the one before it loaded: the lanes reopen on that.
    await this.profile.reload().catch((err: Error) => {
      this.log.error("could not read the new profile", { error: err.message });
    });
    await Promise.all(old.map((l) => l.close()));
    if (this.stopping || !this.browser?.connected) return;
    await this.openLanes();
    // The hello first, so the pool knows the models when it reads the status and dispatches.
    this.link.send(this.hello());
    this.sendStatus();
  }

  /** Rebuilds a crashed lane's page, with backoff, while the browser lives. */
  private async reopen(lane: Lane): Promise<void> {
    this.sendStatus();
    for (let attempt = 0; !this.stopping && this.browser?.connected; attempt++) {
      if (!this.lanes.includes(lane)) return; // replaced meanwhile (a reload after a sign-in)
      try {
        await lane.open(this.browser);
        if (!this.lanes.includes(lane)) {
          await lane.close();
          return;
        }
        this.log.info("lane replaced after a crash", { lane: lane.index });
        this.sendStatus();
        return;
      } catch (err) {
        this.log.warn("could not replace a lane", {
          lane: lane.index,
          error: (err as Error).message,
        });
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1_000 * 2 ** attempt)));
      }
    }
  }

  private async onBrowserGone(): Promise<void> {
    if (this.stopping) return;
    this.log.error("Chromium exited; relaunching");
    for (const relay of this.running.values()) relay.controller.abort("the browser exited");
    void this.signin.close("the browser exited");
    this.setState("degraded", "browser restarting");
    for (;;) {
      const delay = Math.min(30_000, 1_000 * 2 ** this.relaunches);
      this.relaunches += 1;
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopping) return;
      try {
        await this.launch();
        this.link.send(this.hello());
        return;
      } catch (err) {
        this.log.error("relaunch failed", {
          error: (err as Error).message,
          attempt: this.relaunches,
        });
      }
    }
  }

  /** The hello the pool gets on every (re)connect and after a browser relaunch. */
  private hello(): Omit<HelloFrame, "v"> {
    const profileId = this.profile.name ?? this.config.PROFILE;
    const egressCountry = this.profile.egressCountry;
    return {
      type: "hello",
      hostId: this.config.HOST_ID,
      instanceId: this.instanceId,
      version: HOST_VERSION,
      lanes: this.healthyLanes(),
      models: hostModels(this.lanes[0]?.models ?? []),
      ...(profileId ? { profileId } : {}),
      ...(egressCountry ? { egressCountry } : {}),
    };
  }

  private setState(state: HostState, detail?: string): void {
    const changed = state !== this.state || detail !== this.detail;
    this.state = state;
    this.detail = detail ?? "";
    if (changed && state === "auth_expired")
      this.log.error("the Google login has expired: this host takes no jobs", { remedy: detail });
    else if (changed) this.log.info("host state", { state, detail });
    this.sendStatus();
  }

  private sendStatus(): void {
    void this.writeStatusFile();
    this.send({
      type: "status",
      state: this.state,
      lanes: this.healthyLanes(),
      freeLanes: this.lanes.filter((l) => l.free).length,
      ...(this.detail ? { detail: this.detail.slice(0, 1024) } : {}),
    });
  }

  private onFrame(frame: PoolFrame): void {
    switch (frame.type) {
      case "welcome":
        this.sendStatus();
        return;
      case "job":
        void this.runJob(frame);
        return;
      case "job.attachment": {
        const relay = this.running.get(frame.jobId);
        if (relay) relay.attachment(frame);
        else if (!this.ended.has(frame.jobId))
          this.send({
            type: "protocol.error",
            jobId: frame.jobId,
            message: `"job.attachment" for job ${frame.jobId}, which this host does not run`,
          });
        return;
      }
      case "job.cancel":
        this.running.get(frame.jobId)?.controller.abort(frame.reason);
        return;
      case "drain":
        void this.drain(frame.reason ?? "asked by the pool");
        return;
      case "protocol.error":
        this.log.warn("the pool reports a protocol error", { error: frame.message });
        return;
      case "signin.start":
      case "signin.input":
      case "signin.stop":
        this.signin.onFrame(frame);
        return;
      case "snapshot.request":
        void serveSnapshot(this.config.SNAPSHOT_DIR, frame, (f) => this.send(f), this.log);
        return;
    }
  }

  /** Typed frames out; false when the link is down (the pool ends or re-dispatches the job itself). */
  private send(frame: OutHostFrame): boolean {
    return this.link.send(frame);
  }

  private async runJob(job: JobFrame): Promise<void> {
    const relay = new JobRelay(job, this.config, this.log, {
      send: (frame) => this.send(frame),
      onAuthExpired: (message) => this.setState("auth_expired", message),
    });
    const accepting = this.state === "ready" || this.state === "degraded";
    const lane = accepting ? this.lanes.find((l) => l.free) : undefined;
    if (!lane || !this.browser || !lane.reserve()) {
      relay.refuse("host_busy", `No free lane on ${this.config.HOST_ID} (${this.state}).`);
      this.forget(job.jobId);
      return;
    }
    // Reserved before the status goes out, so the pool never sees this lane free while it works.
    this.running.set(job.jobId, relay);
    this.sendStatus();
    try {
      await relay.run(this.browser, lane);
    } finally {
      this.running.delete(job.jobId);
      this.forget(job.jobId);
      lane.release();
      this.sendStatus();
    }
  }

  private forget(jobId: string): void {
    this.ended.add(jobId);
    if (this.ended.size > 256) this.ended.delete(this.ended.values().next().value!);
  }

  private onLinkDown(why: string): void {
    void this.writeStatusFile();
    void this.signin.close("pool link lost");
    // Nobody can receive these answers any more; the pool ends or re-dispatches them itself.
    for (const [jobId, relay] of this.running) {
      this.log.warn("pool link lost during a job", { jobId, why });
      relay.controller.abort(`pool link lost: ${why}`);
    }
  }

  /** The pool closed the link for good (another process took this HOST_ID, or versions differ). */
  private onRefused(why: string): void {
    this.log.error("the pool will not take this host; stopping", { why });
    this.events.onRefused?.(why);
    void this.drain(`refused by the pool: ${why}`);
  }

  /** Stops taking jobs, lets running ones finish (up to DRAIN_TIMEOUT_MS), then closes everything. */
  async drain(reason: string): Promise<void> {
    if (this.stopping || this.state === "draining") return;
    this.log.info("draining", { reason, running: this.running.size });
    this.setState("draining", reason);
    void this.signin.close("host stopping");
    const deadline = Date.now() + this.config.DRAIN_TIMEOUT_MS;
    while (this.running.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    for (const relay of this.running.values()) relay.controller.abort("host shutting down");
    // Cancelled jobs press Stop and clear their chat; a page that no longer answers gets 10 s.
    const hard = Date.now() + 10_000;
    while (this.running.size > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
    await this.stop();
  }

  async stop(): Promise<void> {
    if (!this.stopping) await this.writeBack("shutdown");
    this.stopping = true;
    clearInterval(this.writeBackTimer);
    clearInterval(this.statusTimer);
    await this.signin.close("host stopping");
    await this.link.close();
    await Promise.all(this.lanes.map((l) => l.close()));
    await this.browser?.close().catch(() => undefined);
    await this.profile.close();
  }

  /** For tests and the health file: a snapshot of what the host would report. */
  snapshot(): { state: HostState; lanes: number; busy: number; connected: boolean } {
    return {
      state: this.state,
      lanes: this.healthyLanes(),
      busy: this.running.size,
      connected: this.link.connected,
    };
  }
}
