import { Hono, type Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../app-types.js";
import { ApiError } from "../errors.js";
import { poolStub } from "../pool-client.js";
import { layout } from "./layout.js";

/*
 * Remote sign-in: the page holds a canvas the host's screen is drawn on; the script opens a
 * WebSocket to /console/api/hosts/:id/signin, which the Worker hands to the pool once the
 * session and the Origin have been checked (guards.ts, before this). Nothing typed is logged.
 */

export const VIEWPORT = {
  width: { min: 320, max: 1920, default: 1280 },
  height: { min: 320, max: 1200, default: 800 },
} as const;

/** A host id as hosts send it in hello (1 to 128 characters), without control characters. */
export function hostIdOf(raw: string): string {
  // eslint-disable-next-line no-control-regex
  if (raw.length < 1 || raw.length > 128 || /[\u0000-\u001f\u007f]/.test(raw))
    throw new ApiError("invalid_request", "The host id must be 1 to 128 printable characters.", {
      param: "id",
    });
  return raw;
}

/** The page takes any size and brings it within bounds. */
function clamp(raw: string | undefined, bounds: { min: number; max: number; default: number }) {
  const n = Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(n)) return bounds.default;
  return Math.min(bounds.max, Math.max(bounds.min, Math.round(n)));
}

/** The socket takes only a size within bounds: the page sends nothing else. */
function strict(
  raw: string | undefined,
  field: "w" | "h",
  bounds: { min: number; max: number; default: number },
): number {
  if (raw === undefined || raw === "") return bounds.default;
  const n = /^\d{3,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= bounds.min && n <= bounds.max))
    throw new ApiError(
      "invalid_request",
      `${field} must be a whole number of pixels from ${bounds.min} to ${bounds.max}.`,
      { param: field },
    );
  return n;
}

export const signInPage = new Hono<AppEnv>().get("/:id/signin", (c) => {
  const id = hostIdOf(c.req.param("id"));
  const width = clamp(c.req.query("w"), VIEWPORT.width);
  const height = clamp(c.req.query("h"), VIEWPORT.height);
  return c.html(
    layout({
      title: `Sign in ${id}`,
      section: null,
      page: "signin",
      signedIn: true,
      body: html`<h1>Sign in host <code>${id}</code></h1>
        <p class="hint">
          The host opens Google's sign-in page in a fresh browser context and streams it here. Click
          the screen to focus it, then type; paste with Ctrl+V / ⌘V. Nothing you type is logged or
          stored by the console or the Worker.
        </p>
        <form method="get" class="filters" action="/console/hosts/${encodeURIComponent(id)}/signin">
          <label
            >Width
            <input
              type="number"
              name="w"
              min="${VIEWPORT.width.min}"
              max="${VIEWPORT.width.max}"
              value="${width}"
          /></label>
          <label
            >Height
            <input
              type="number"
              name="h"
              min="${VIEWPORT.height.min}"
              max="${VIEWPORT.height.max}"
              value="${height}"
          /></label>
          <button type="submit" class="secondary">Restart at this size</button>
        </form>
        <div class="signin-bar">
          <p id="signin-status" role="status" aria-live="polite">Connecting…</p>
          <code id="signin-location" class="muted"></code>
          <button type="button" id="signin-stop" class="danger">Stop</button>
        </div>
        <canvas
          id="signin-screen"
          class="screen"
          tabindex="0"
          width="${width}"
          height="${height}"
          data-host-id="${id}"
          aria-label="The host's sign-in screen: click to focus, then type"
        ></canvas>
        <p><a href="/console">Back to the overview</a></p>`,
    }),
  );
});

/** GET /console/api/hosts/:id/signin with `Upgrade: websocket`: the pool's 101 as it is. */
export async function signInSocket(c: Context<AppEnv>): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError("invalid_request", "Expected a WebSocket upgrade (Upgrade: websocket).");
  const id = hostIdOf(c.req.param("id") ?? "");
  const w = strict(c.req.query("w"), "w", VIEWPORT.width);
  const h = strict(c.req.query("h"), "h", VIEWPORT.height);
  const query = new URLSearchParams({ host: id, w: String(w), h: String(h) });
  return poolStub(c.env).fetch(`https://pool/console/signin?${query.toString()}`, {
    headers: { upgrade: "websocket" },
  });
}
