import type { OutHostFrame, PoolFrame } from "@aistudio-edge/shared";
import type { Browser } from "puppeteer-core";
import type { HostConfig } from "../config.js";
import type { SelectorCatalog } from "../driver/selector-overrides.js";
import type { Logger } from "../log.js";
import type { ProfileSession } from "../profile/profile-session.js";
import { SignInSession } from "./session.js";

/*
 * The host's side of remote sign-in: at most one session at a time, whatever the host's state
 * (a host whose login expired is the one that needs it most). A second start is refused and the
 * open session goes on; input and stops for another session id are ignored. Once a session has
 * saved the profile, the host is told to load it (reopen its lanes, say hello again).
 */

export type SignInFrame = Extract<
  PoolFrame,
  { type: "signin.start" | "signin.input" | "signin.stop" }
>;

export interface SignInHost {
  /** The running browser, or null while it is (re)starting. */
  browser(): Browser | null;
  /** Why the host takes no sign-in now (it is stopping), or null. */
  refusal(): string | null;
  send(frame: OutHostFrame): boolean;
  /** A session saved this profile: the host loads it. */
  signedIn(profile: string): Promise<void>;
}

export const ALREADY_OPEN = "a sign-in session is already open on this host";

export class RemoteSignIn {
  private session: SignInSession | null = null;
  /** Session ids whose stray frames were logged once already (bounded, oldest first). */
  private readonly strays = new Set<string>();

  constructor(
    private readonly config: HostConfig,
    private readonly log: Logger,
    private readonly profile: ProfileSession,
    private readonly catalog: () => SelectorCatalog,
    private readonly host: SignInHost,
  ) {}

  get open(): boolean {
    return this.session !== null;
  }

  onFrame(frame: SignInFrame): void {
    const session = this.session?.id === frame.sessionId ? this.session : null;
    switch (frame.type) {
      case "signin.start":
        if (session) session.resendState();
        else this.start(frame.sessionId, frame.viewport);
        return;
      case "signin.input":
        if (session) session.input(frame.input);
        else this.stray(frame.sessionId);
        return;
      case "signin.stop":
        if (session) void session.end("closed", frame.reason || "stopped");
        else this.stray(frame.sessionId);
        return;
    }
  }

  private start(sessionId: string, viewport: { width: number; height: number }): void {
    const browser = this.host.browser();
    const refusal = this.session
      ? ALREADY_OPEN
      : (this.host.refusal() ??
        (browser?.connected ? null : "the host's browser is not running (it is restarting)"));
    if (refusal || !browser) {
      this.log.info("remote sign-in refused", { signin: sessionId, why: refusal });
      this.host.send({ type: "signin.state", sessionId, state: "failed", detail: refusal! });
      return;
    }
    this.log.info("remote sign-in starting", { signin: sessionId, ...viewport });
    const session = new SignInSession(sessionId, viewport, {
      config: this.config,
      log: this.log,
      browser,
      profile: this.profile,
      catalog: this.catalog(),
      send: (frame) => this.host.send(frame),
    });
    this.session = session;
    void session.done.then(async (end) => {
      if (this.session === session) this.session = null;
      if (end.state !== "signed_in") return;
      try {
        await this.host.signedIn(end.profile);
      } catch (err) {
        this.log.error("could not load the profile the remote sign-in saved", {
          profile: end.profile,
          error: (err as Error).message,
        });
      }
    });
  }

  /** Frames for a session this host does not have: said once, at debug, without their content. */
  private stray(sessionId: string): void {
    if (this.strays.has(sessionId)) return;
    this.strays.add(sessionId);
    if (this.strays.size > 64) this.strays.delete(this.strays.values().next().value!);
    this.log.debug("sign-in frames for a session this host does not have; ignored", {
      signin: sessionId,
    });
  }

  /** Closes the open session (the link was lost, the browser exited, the host is stopping). */
  async close(reason: string): Promise<void> {
    await this.session?.end("closed", reason);
  }
}
