// @ts-check
/*
 * The operator console's one script (served by the Worker under /console/assets/, allowed by
 * the CSP as 'self'; there is no inline script anywhere). Plain DOM, no framework. Everything
 * from the server is put in the page as text (textContent, attributes), never as markup.
 *
 * Pages (body[data-page]): overview (live through EventSource), key-created (copy button),
 * job (the failure snapshot), signin (the remote sign-in screen). Forms with data-confirm ask
 * first on every page.
 */

/** @typedef {import("../../src/pool/views.js").OverviewView} OverviewView */
/** @typedef {import("../../src/pool/views.js").HostView} HostView */
/** @typedef {import("../../src/pool/views.js").SnapshotResult} SnapshotResult */
/** @typedef {import("../../src/pool/views.js").SnapshotFile} SnapshotFile */
/** @typedef {import("../../src/pool/views.js").PoolSignInMessage} PoolSignInMessage */
/** @typedef {import("../../src/pool/views.js").ConsoleSignInMessage} ConsoleSignInMessage */
/** @typedef {import("../../src/accounting/records.js").MinuteRow} MinuteRow */
/** @typedef {import("@aistudio-edge/shared").SignInInput} SignInInput */

const SVG_NS = "http://www.w3.org/2000/svg";

// ── Small helpers ──────────────────────────────────────────────────────────────────────────

/**
 * An element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attrs]
 * @param {Array<Node | string>} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/**
 * An SVG element with attributes and text.
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 * @returns {SVGElement}
 */
function svg(tag, attrs, text) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @param {string} id
 * @returns {HTMLElement | null}
 */
function byId(id) {
  return document.getElementById(id);
}

/**
 * @param {string} text
 * @returns {Uint8Array}
 */
function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ── Formatting (as worker/src/console/format.ts does it on the server) ───────────────────

const NONE = "—";
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const fine = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** @param {number | null | undefined} ms */
function utc(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** @param {number | null | undefined} n */
function count(n) {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : integer.format(n);
}

/** @param {number | null | undefined} ms */
function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 10_000) return `${integer.format(Math.round(ms))} ms`;
  if (ms < 120_000) return `${decimal.format(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * @param {number} part
 * @param {number} whole
 */
function percent(part, whole) {
  return whole > 0 ? `${decimal.format((100 * part) / whole)} %` : NONE;
}

// ── Every page ─────────────────────────────────────────────────────────────────────────────

for (const form of document.querySelectorAll("form[data-confirm]")) {
  if (!(form instanceof HTMLFormElement)) continue;
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset["confirm"] ?? "Are you sure?")) event.preventDefault();
  });
}

// ── Overview: live ─────────────────────────────────────────────────────────────────────────

/** @param {string} hostId */
function signInHref(hostId) {
  return `/console/hosts/${encodeURIComponent(hostId)}/signin`;
}

/** @param {HostView} host */
function hostRow(host) {
  const expired = host.state === "auth_expired";
  const models =
    host.models.length === 0
      ? NONE
      : h(
          "details",
          {},
          h("summary", {}, count(host.models.length)),
          h("ul", { class: "plain" }, ...host.models.map((m) => h("li", {}, h("code", {}, m)))),
        );
  const action = host.signIn
    ? h("a", { class: "button secondary", href: signInHref(host.id) }, "Sign-in open")
    : h(
        "a",
        { class: expired ? "button" : "button secondary", href: signInHref(host.id) },
        "Sign in",
      );
  return h(
    "tr",
    { class: expired ? "attention" : "" },
    h("td", {}, h("code", {}, host.id)),
    h("td", {}, h("span", { class: `state state-${host.state}` }, host.state)),
    h("td", { class: "num" }, count(host.lanes)),
    h("td", { class: "num" }, count(host.busy)),
    h("td", {}, models),
    h("td", {}, host.profileId ?? NONE),
    h("td", {}, host.egressCountry ?? NONE),
    h("td", {}, host.version),
    h("td", {}, h("time", {}, utc(host.connectedAt))),
    h("td", { class: "detail" }, host.detail ?? NONE),
    h("td", {}, action),
  );
}

/**
 * @param {MinuteRow[]} rows
 * @returns {{ requests: number, errors: number, ttftMs: number | null }}
 */
function summarizeHour(rows) {
  let requests = 0;
  let errors = 0;
  let weighted = 0;
  let weight = 0;
  for (const row of rows) {
    requests += row.requests;
    errors += row.errors;
    if (row.ttftMs !== null) {
      const w = Math.max(1, row.requests - row.errors);
      weighted += row.ttftMs * w;
      weight += w;
    }
  }
  return { requests, errors, ttftMs: weight > 0 ? weighted / weight : null };
}

// The charts as worker/src/console/charts.ts draws them: keep the two in step.
const WIDTH = 600;
const HEIGHT = 120;
const BASE = 100;
const TOP = 14;

/**
 * @param {string} id
 * @param {string} label
 */
function chartFrame(id, label) {
  const el = svg("svg", {
    id,
    class: "chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": label,
  });
  el.append(svg("line", { class: "axis", x1: 0, y1: BASE, x2: WIDTH, y2: BASE }));
  return el;
}

/**
 * @param {SVGElement} el
 * @param {string} top
 * @param {string | null} empty what to say across a chart with nothing in it
 */
function chartLabels(el, top, empty) {
  el.append(
    svg("text", { class: "label", x: 0, y: 10 }, top),
    svg("text", { class: "label", x: 0, y: HEIGHT - 4 }, "−60 min"),
    svg("text", { class: "label end", x: WIDTH, y: HEIGHT - 4 }, "now"),
  );
  if (empty !== null)
    el.append(svg("text", { class: "label middle", x: WIDTH / 2, y: BASE / 2 + TOP / 2 }, empty));
}

/** @param {MinuteRow[]} rows */
function requestsChart(rows) {
  const el = chartFrame("chart-requests", "Requests per minute over the last hour");
  const max = Math.max(1, ...rows.map((r) => r.requests));
  const step = WIDTH / Math.max(rows.length, 1);
  /** @param {number} n */
  const scale = (n) => ((BASE - TOP) * n) / max;
  rows.forEach((r, i) => {
    const x = (i * step + 1).toFixed(1);
    const w = Math.max(1, step - 2).toFixed(1);
    const height = scale(r.requests);
    const bar = svg("rect", {
      class: "bar",
      x,
      y: (BASE - height).toFixed(1),
      width: w,
      height: height.toFixed(1),
    });
    const minute = new Date(r.minute).toISOString().slice(11, 16) + "Z";
    bar.append(
      svg("title", {}, `${minute}: ${count(r.requests)} requests, ${count(r.errors)} errors`),
    );
    el.append(bar);
    if (r.errors > 0) {
      const e = scale(r.errors);
      el.append(
        svg("rect", {
          class: "bar error",
          x,
          y: (BASE - e).toFixed(1),
          width: w,
          height: e.toFixed(1),
        }),
      );
    }
  });
  chartLabels(
    el,
    `max ${count(max)}/min`,
    rows.some((r) => r.requests > 0) ? null : "No requests in the last hour",
  );
  return el;
}

/** @param {MinuteRow[]} rows */
function ttftChart(rows) {
  const el = chartFrame("chart-ttft", "Mean time to first token per minute over the last hour");
  const values = rows.map((r) => r.ttftMs).filter((v) => v !== null);
  const max = Math.max(1, ...values);
  const step = WIDTH / Math.max(rows.length, 1);
  /** @type {Array<Array<[number, number]>>} */
  const segments = [];
  /** @type {Array<[number, number]>} */
  let current = [];
  rows.forEach((r, i) => {
    if (r.ttftMs === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push([i * step + step / 2, BASE - ((BASE - TOP) * r.ttftMs) / max]);
  });
  if (current.length > 0) segments.push(current);
  for (const points of segments) {
    const [first] = points;
    if (points.length === 1 && first !== undefined)
      el.append(
        svg("circle", { class: "dot", cx: first[0].toFixed(1), cy: first[1].toFixed(1), r: 2 }),
      );
    else
      el.append(
        svg("polyline", {
          class: "line",
          points: points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "),
        }),
      );
  }
  chartLabels(
    el,
    `max ${duration(values.length > 0 ? max : null)}`,
    values.length > 0 ? null : "No answers in the last hour",
  );
  return el;
}

/** @param {OverviewView} view */
function renderOverview(view) {
  const updated = byId("updated-at");
  if (updated) updated.textContent = utc(view.at);

  byId("banners")?.replaceChildren(
    ...view.hosts
      .filter((host) => host.state === "auth_expired")
      .map((host) =>
        h(
          "p",
          { class: "notice warn", role: "alert" },
          "Host ",
          h("code", {}, host.id),
          " is signed out — ",
          h("a", { href: signInHref(host.id) }, "Sign in"),
        ),
      ),
  );

  const hour = summarizeHour(view.lastHour);
  const ready = view.hosts.filter((host) => host.state === "ready").length;
  const lanes = view.hosts.reduce((n, host) => n + host.lanes, 0);
  const busy = view.hosts.reduce((n, host) => n + host.busy, 0);
  /** @type {Record<string, string>} */
  const stats = {
    hosts: `${count(view.hosts.length)} (${count(ready)})`,
    lanes: `${count(busy)} / ${count(lanes)}`,
    queued: count(view.queued),
    running: count(view.running),
    rpm: `${count(hour.requests)} (${fine.format(hour.requests / 60)} / min)`,
    "error-rate": percent(hour.errors, hour.requests),
    ttft: duration(hour.ttftMs),
  };
  for (const el of document.querySelectorAll("[data-stat]")) {
    const value = stats[/** @type {HTMLElement} */ (el).dataset["stat"] ?? ""];
    if (value !== undefined) el.textContent = value;
  }

  byId("hosts-body")?.replaceChildren(
    ...(view.hosts.length === 0
      ? [
          h(
            "tr",
            {},
            h(
              "td",
              { colspan: "11", class: "empty" },
              "No hosts connected. Start one with ",
              h("code", {}, "npm run host"),
              ".",
            ),
          ),
        ]
      : view.hosts.map(hostRow)),
  );

  byId("chart-requests")?.replaceWith(requestsChart(view.lastHour));
  byId("chart-ttft")?.replaceWith(ttftChart(view.lastHour));
}

function initOverview() {
  const status = byId("live-status");
  const updated = byId("updated-at");
  /** @param {string} text */
  const say = (text) => {
    if (!status) return;
    status.replaceChildren(text, " Last update ", updated ?? "", ".");
  };
  const source = new EventSource("/console/api/live");
  source.addEventListener("open", () => say("Live."));
  source.addEventListener("overview", (event) => {
    try {
      renderOverview(/** @type {OverviewView} */ (JSON.parse(event.data)));
      say("Live.");
    } catch {
      say("Live, but an update could not be read.");
    }
  });
  source.addEventListener("error", (event) => {
    // The pool's own `event: error` (it has data) ends the stream for good.
    if (event instanceof MessageEvent && typeof event.data === "string") {
      source.close();
      /** @type {{ message?: string }} */
      let body = {};
      try {
        body = JSON.parse(event.data);
      } catch {
        // Not JSON: the generic text below.
      }
      say(`Live updates stopped: ${body.message ?? "the pool ended the stream"}`);
      return;
    }
    say(
      source.readyState === EventSource.CLOSED
        ? "Live updates stopped (signed out, or the Worker refused): reload the page."
        : "Reconnecting…",
    );
  });
}

// ── Key created: copy ──────────────────────────────────────────────────────────────────────

function initCopy() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const target = byId(button.dataset["copy"] ?? "");
    const status = button.parentElement?.querySelector(".copy-status");
    button.addEventListener("click", () => {
      const text = target?.textContent ?? "";
      navigator.clipboard.writeText(text).then(
        () => {
          if (status) status.textContent = "Copied.";
        },
        () => {
          // No clipboard access: select the key so it can be copied by hand.
          if (target) window.getSelection()?.selectAllChildren(target);
          if (status) status.textContent = "Could not copy: the key is selected, copy it by hand.";
        },
      );
    });
  }
}

// ── Job: the failure snapshot ──────────────────────────────────────────────────────────────

/** @type {Record<string, string>} */
const DOWNLOAD_TYPES = {
  "screenshot.png": "image/png",
  // Never text/html: the page's DOM must not be opened as a document of this origin.
  "dom.html": "application/octet-stream",
  "console.log": "text/plain",
  "network.json": "application/json",
  "error.json": "application/json",
};

/**
 * @param {SnapshotFile} file
 * @param {string} wireId
 */
function downloadLink(file, wireId) {
  const blob = new Blob([/** @type {BlobPart} */ (base64Bytes(file.base64))], {
    type: DOWNLOAD_TYPES[file.name] ?? "application/octet-stream",
  });
  const link = h(
    "a",
    { href: URL.createObjectURL(blob), download: `${wireId}-${file.name}` },
    file.name,
  );
  return h(
    "li",
    {},
    link,
    ` (${count(blob.size)} bytes${file.truncated ? ", cut at the host's size limit" : ""})`,
  );
}

/** @param {HTMLElement} section */
async function loadSnapshot(section) {
  const wireId = section.dataset["wireId"] ?? "";
  const hostId = section.dataset["hostId"] ?? "";
  const status = byId("snapshot-status");
  const files = byId("snapshot-files");
  const button = byId("snapshot-fetch");
  if (!status || !files) return;
  /** @param {Array<Node | string>} parts */
  const say = (...parts) => status.replaceChildren(...parts);
  for (const link of files.querySelectorAll("a[href^='blob:']"))
    URL.revokeObjectURL(/** @type {HTMLAnchorElement} */ (link).href);
  files.replaceChildren();
  if (button instanceof HTMLButtonElement) button.disabled = true;
  say("Asking host ", h("code", {}, hostId), " for the snapshot…");
  try {
    const res = await fetch(`/console/api/jobs/${encodeURIComponent(wireId)}/snapshot`, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (res.status === 401) {
      say("Your session has ended: ", h("a", { href: "/console/login" }, "sign in again"), ".");
      return;
    }
    /** @type {unknown} */
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const message = /** @type {{ error?: { message?: string } } | null} */ (body)?.error?.message;
      say(`Could not fetch the snapshot: ${message ?? `HTTP ${res.status}`}`);
      return;
    }
    const result = /** @type {SnapshotResult} */ (body);
    if (!result.found) {
      say(`No snapshot: ${result.reason}`);
      return;
    }
    say(
      "Snapshot from host ",
      h("code", {}, result.hostId),
      ` (${result.files.length} files). Nothing of it is kept at the edge.`,
    );
    const screenshot = result.files.find((f) => f.name === "screenshot.png");
    if (screenshot)
      files.append(
        h(
          "figure",
          {},
          h("img", {
            src: `data:image/png;base64,${screenshot.base64}`,
            alt: "Failure screenshot",
          }),
          h("figcaption", {}, "Failure screenshot"),
        ),
      );
    const error = result.files.find((f) => f.name === "error.json");
    if (error)
      files.append(
        h("h3", {}, "error.json"),
        h("pre", {}, new TextDecoder().decode(base64Bytes(error.base64))),
      );
    files.append(
      h("h3", {}, "Downloads"),
      h("ul", {}, ...result.files.map((f) => downloadLink(f, result.jobId))),
    );
  } catch {
    say("Could not reach the Worker. Try again.");
  } finally {
    if (button instanceof HTMLButtonElement) button.disabled = false;
  }
}

function initJob() {
  const section = byId("snapshot");
  if (!section) return;
  byId("snapshot-fetch")?.addEventListener("click", () => void loadSnapshot(section));
  void loadSnapshot(section);
}

// ── Remote sign-in ─────────────────────────────────────────────────────────────────────────

/** Pointer moves and wheel turns sent at most this often (≤ 30 a second). */
const MOVE_INTERVAL_MS = 34;
const TEXT_MAX = 2048;
/** @type {Record<number, "left" | "middle" | "right">} */
const BUTTONS = { 0: "left", 1: "middle", 2: "right" };

/** @param {KeyboardEvent | MouseEvent} event */
function modifiersOf(event) {
  return (
    (event.altKey ? 1 : 0) |
    (event.ctrlKey ? 2 : 0) |
    (event.metaKey ? 4 : 0) |
    (event.shiftKey ? 8 : 0)
  );
}

/** @param {number} buttons PointerEvent.buttons */
function heldButton(buttons) {
  if (buttons & 1) return "left";
  if (buttons & 2) return "right";
  if (buttons & 4) return "middle";
  return "none";
}

/**
 * @param {number} value
 * @param {number} min
 * @param {number} max
 */
function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

function initSignIn() {
  const canvas = byId("signin-screen");
  const status = byId("signin-status");
  const where = byId("signin-location");
  const stop = byId("signin-stop");
  if (!(canvas instanceof HTMLCanvasElement) || !status || !(stop instanceof HTMLButtonElement))
    return;
  const screen = canvas.getContext("2d");
  const hostId = canvas.dataset["hostId"] ?? "";
  const width = canvas.width;
  const height = canvas.height;

  /**
   * @param {"" | "ok" | "error"} tone
   * @param {Array<Node | string>} parts
   */
  const say = (tone, ...parts) => {
    status.className = tone;
    status.replaceChildren(...parts);
  };

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams({ w: String(width), h: String(height) });
  const ws = new WebSocket(
    `${scheme}//${location.host}/console/api/hosts/${encodeURIComponent(hostId)}/signin?${query}`,
  );
  let ended = false;

  /** @param {ConsoleSignInMessage} message */
  const send = (message) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  /** @param {SignInInput} input */
  const input = (input) => send({ type: "input", input });

  // Frames: only the newest waiting one is drawn, so a slow decode never builds a backlog.
  /** @type {Extract<PoolSignInMessage, { type: "frame" }> | null} */
  let pendingFrame = null;
  let drawing = false;
  const drawFrames = async () => {
    drawing = true;
    while (pendingFrame !== null) {
      const frame = pendingFrame;
      pendingFrame = null;
      try {
        const blob = new Blob([/** @type {BlobPart} */ (base64Bytes(frame.data))], {
          type: "image/jpeg",
        });
        const bitmap = await createImageBitmap(blob);
        screen?.drawImage(bitmap, 0, 0, width, height);
        bitmap.close();
      } catch {
        // A frame that does not decode is skipped; the next one replaces it anyway.
      }
    }
    drawing = false;
  };

  /** @param {Extract<PoolSignInMessage, { type: "state" }>} message */
  const showState = (message) => {
    if (message.location !== undefined && where) where.textContent = message.location;
    const detail = message.detail !== undefined ? ` ${message.detail}` : "";
    switch (message.state) {
      case "opened":
        say("", "The host's sign-in screen is live. Click it, then type.");
        break;
      case "signed_in":
        ended = true;
        stop.disabled = true;
        say(
          "ok",
          `Signed in: the host saved its profile and reopens its lanes.${detail} `,
          h("a", { href: "/console" }, "Back to the overview"),
        );
        break;
      case "failed":
        ended = true;
        stop.disabled = true;
        say("error", `Sign-in failed.${detail}`);
        break;
      case "closed":
        ended = true;
        stop.disabled = true;
        say("", `The session is closed.${detail}`);
        break;
    }
  };

  ws.addEventListener("open", () => say("", "Waiting for the host's screen…"));
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    /** @type {PoolSignInMessage} */
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "frame") {
      pendingFrame = message;
      if (!drawing) void drawFrames();
    } else if (message.type === "state") showState(message);
    else if (message.type === "error") say("error", message.message);
  });
  ws.addEventListener("close", (event) => {
    stop.disabled = true;
    if (ended) return;
    ended = true;
    if (event.code === 1006)
      say(
        "error",
        "The session could not be opened or was cut (signed out, or the Worker refused). ",
        h("a", { href: location.pathname + location.search }, "Try again"),
      );
    else if (status.className !== "error")
      say("", `The session ended${event.reason ? `: ${event.reason}` : ""}.`);
  });

  stop.addEventListener("click", () => {
    stop.disabled = true;
    say("", "Stopping…");
    send({ type: "stop" });
  });

  // Coordinates: from the canvas as shown (CSS pixels) to the host's viewport.
  /** @param {MouseEvent} event */
  const point = (event) => {
    // The content box: the border is not part of the screen.
    const box = canvas.getBoundingClientRect();
    const left = box.left + canvas.clientLeft;
    const top = box.top + canvas.clientTop;
    const shownWidth = Math.max(canvas.clientWidth, 1);
    const shownHeight = Math.max(canvas.clientHeight, 1);
    return {
      x: clamp(Math.round(((event.clientX - left) * width) / shownWidth), 0, width),
      y: clamp(Math.round(((event.clientY - top) * height) / shownHeight), 0, height),
    };
  };

  // Moves and wheel turns, throttled: the last one waiting goes out at most every interval.
  /** @type {SignInInput | null} */
  let pendingMove = null;
  /** @type {{ x: number, y: number, deltaX: number, deltaY: number } | null} */
  let pendingWheel = null;
  let lastSent = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pendingMove !== null) input(pendingMove);
    if (pendingWheel !== null)
      input({
        kind: "wheel",
        x: pendingWheel.x,
        y: pendingWheel.y,
        deltaX: clamp(pendingWheel.deltaX, -10_000, 10_000),
        deltaY: clamp(pendingWheel.deltaY, -10_000, 10_000),
      });
    if (pendingMove !== null || pendingWheel !== null) lastSent = performance.now();
    pendingMove = null;
    pendingWheel = null;
  };
  const schedule = () => {
    const wait = lastSent + MOVE_INTERVAL_MS - performance.now();
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };

  // Click counts as the page under the screen expects them (double-click selects a word).
  let lastDown = { at: 0, x: 0, y: 0, count: 0 };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.focus();
    canvas.setPointerCapture(event.pointerId);
    flush();
    const at = point(event);
    const now = performance.now();
    const again =
      now - lastDown.at < 500 && Math.abs(at.x - lastDown.x) < 5 && Math.abs(at.y - lastDown.y) < 5;
    lastDown = { at: now, ...at, count: again ? Math.min(3, lastDown.count + 1) : 1 };
    input({
      kind: "mouse",
      action: "down",
      ...at,
      button: BUTTONS[event.button] ?? "left",
      clickCount: lastDown.count,
      modifiers: modifiersOf(event),
    });
  });
  canvas.addEventListener("pointerup", (event) => {
    event.preventDefault();
    flush();
    input({
      kind: "mouse",
      action: "up",
      ...point(event),
      button: BUTTONS[event.button] ?? "left",
      clickCount: lastDown.count,
      modifiers: modifiersOf(event),
    });
  });
  canvas.addEventListener("pointermove", (event) => {
    pendingMove = {
      kind: "mouse",
      action: "move",
      ...point(event),
      button: heldButton(event.buttons),
      clickCount: 0,
      modifiers: modifiersOf(event),
    };
    schedule();
  });
  canvas.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? height : 1;
      const at = point(event);
      pendingWheel = {
        ...at,
        deltaX: (pendingWheel?.deltaX ?? 0) + event.deltaX * unit,
        deltaY: (pendingWheel?.deltaY ?? 0) + event.deltaY * unit,
      };
      schedule();
    },
    { passive: false },
  );
  canvas.addEventListener("contextmenu", (event) => event.preventDefault());

  // Keys go to the host, not to this page. Ctrl+V / ⌘V is left to the browser, whose paste
  // event below sends the clipboard's text.
  /** @param {KeyboardEvent} event */
  const isPaste = (event) =>
    (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "v";
  /**
   * @param {KeyboardEvent} event
   * @param {"down" | "up"} action
   */
  const key = (event, action) => {
    if (event.isComposing || isPaste(event)) return;
    event.preventDefault();
    if (event.key.length < 1 || event.key.length > 32 || event.code.length > 32) return;
    input({ kind: "key", action, key: event.key, code: event.code, modifiers: modifiersOf(event) });
  };
  canvas.addEventListener("keydown", (event) => key(event, "down"));
  canvas.addEventListener("keyup", (event) => key(event, "up"));
  document.addEventListener("paste", (event) => {
    if (document.activeElement !== canvas) return;
    event.preventDefault();
    let text = event.clipboardData?.getData("text/plain") ?? "";
    if (text === "") return;
    const cut = text.length > TEXT_MAX;
    text = text.slice(0, TEXT_MAX);
    // Not half a surrogate pair at the cut.
    if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
    input({ kind: "text", text });
    if (cut) say("", `Pasted the first ${count(TEXT_MAX)} characters only.`);
  });
}

// ── Start ──────────────────────────────────────────────────────────────────────────────────

switch (document.body.dataset["page"]) {
  case "overview":
    initOverview();
    break;
  case "key-created":
    initCopy();
    break;
  case "job":
    initJob();
    break;
  case "signin":
    initSignIn();
    break;
}

export {};
