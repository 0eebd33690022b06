import { SIGNIN_FRAME_MAX_BASE64, type SignInViewport } from "@aistudio-edge/shared";
import type { CDPSession, Protocol } from "puppeteer-core";
import type { Logger } from "../log.js";

/*
 * The sign-in page's screen, as DevTools' screencast paints it: JPEG frames, each acknowledged at
 * once (Chromium sends the next only after an ack), of which at most `maxFps` a second go on,
 * always the newest. A frame that arrives too soon waits as the pending one and is replaced by
 * any newer frame; when the interval opens the pending frame is sent, so the last screen (the
 * one the operator acts on) is never lost however the frames were timed.
 */

export interface ScreenFrame {
  seq: number;
  /** Base64 JPEG. */
  data: string;
  width: number;
  height: number;
}

type ScreencastFrameEvent = Protocol.Page.ScreencastFrameEvent;

const JPEG_QUALITY = 60;

export class Screencast {
  private pending: Omit<ScreenFrame, "seq"> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private seq = 0;
  private stopped = false;
  private received = 0;
  private readonly intervalMs: number;
  private readonly onFrame = (event: ScreencastFrameEvent) => this.frame(event);

  constructor(
    private readonly cdp: CDPSession,
    private readonly viewport: SignInViewport,
    maxFps: number,
    private readonly emit: (frame: ScreenFrame) => void,
    private readonly log: Logger,
  ) {
    this.intervalMs = 1000 / maxFps;
  }

  async start(): Promise<void> {
    this.cdp.on("Page.screencastFrame", this.onFrame);
    await this.cdp.send("Page.startScreencast", {
      format: "jpeg",
      quality: JPEG_QUALITY,
      maxWidth: this.viewport.width,
      maxHeight: this.viewport.height,
      everyNthFrame: 1,
    });
  }

  private frame(event: ScreencastFrameEvent): void {
    this.cdp.send("Page.screencastFrameAck", { sessionId: event.sessionId }).catch(() => {
      // The page went away: no further frame comes to acknowledge.
    });
    if (this.stopped) return;
    this.received += 1;
    if (event.data.length > SIGNIN_FRAME_MAX_BASE64) {
      this.log.debug("a sign-in frame too large to send was dropped", { bytes: event.data.length });
      return;
    }
    const size = (v: number | undefined, fallback: number) =>
      v && Number.isFinite(v) && v > 0 ? Math.min(4096, Math.round(v)) : fallback;
    this.pending = {
      data: event.data,
      width: size(event.metadata.deviceWidth, this.viewport.width),
      height: size(event.metadata.deviceHeight, this.viewport.height),
    };
    this.flush();
  }

  /** Sends the pending frame now if the interval allows, else once it does. */
  private flush(): void {
    if (this.stopped || !this.pending || this.timer) return;
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      return;
    }
    const frame = { seq: this.seq++, ...this.pending };
    this.pending = null;
    this.lastSent = Date.now();
    this.emit(frame);
  }

  /** Frames painted and frames sent, for the session's closing log line. */
  counts(): { painted: number; sent: number } {
    return { painted: this.received, sent: this.seq };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    this.cdp.off("Page.screencastFrame", this.onFrame);
    await this.cdp.send("Page.stopScreencast").catch(() => {
      // The page (or its context) is already closed: nothing is casting any more.
    });
  }
}
