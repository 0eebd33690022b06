import { randomBytes } from "node:crypto";
import type { SignInFlow, SimState } from "./sim-state.js";
import { identifierPage, passwordPage, phonePage } from "./signin-pages.js";

/*
 * Google's sign-in as the simulator plays it, where a signed-out page load (requireLogin, or a
 * lost session) is sent. Each step is its own page, as on accounts.google.com:
 *
 *   GET  /v3/signin/identifier?continue=…  "Sign in": an e-mail or phone number. POSTed, it
 *                                          starts a flow (a `TL` token, in SimState.signInFlows)
 *   GET  /v3/signin/challenge/pwd?TL=…     "Welcome": the password (signInPassword, for any
 *                                          identifier); the field takes input after ~300 ms
 *   GET  /v3/signin/challenge/dp?TL=…      only with signInPhoneApproveMs: "Check your phone",
 *                                          polling …/dp/status every 500 ms until approved, that
 *                                          many ms after it was first shown or at once by
 *                                          `POST /__sim/signin/approve`
 *
 * The last step sets a fresh `SID` session cookie and redirects to `continue` (a path on this
 * origin, else the chat page); the flow is then consumed. A flow lives 10 minutes: an unknown or
 * expired TL is sent back to the identifier page. `GET /ServiceLogin` redirects there too.
 */

export const SIGN_IN_FLOW_TTL_MS = 10 * 60_000;
export const IDENTIFIER_PATH = "/v3/signin/identifier";
export const PASSWORD_PATH = "/v3/signin/challenge/pwd";
export const PHONE_PATH = "/v3/signin/challenge/dp";
export const PHONE_STATUS_PATH = "/v3/signin/challenge/dp/status";
const SERVICE_LOGIN_PATH = "/ServiceLogin";
const DEFAULT_CONTINUE = "/prompts/new_chat";
const DEFAULT_FLOW_NAME = "GlifWebSignIn";
const HTML = "text/html; charset=utf-8";

export const IDENTIFIER_ERROR = "Enter an email or phone number";
export const EMPTY_PASSWORD_ERROR = "Enter a password";
export const WRONG_PASSWORD_ERROR =
  "Wrong password. Try again or click Forgot password to reset it.";

const PATHS = new Set([
  IDENTIFIER_PATH,
  PASSWORD_PATH,
  PHONE_PATH,
  PHONE_STATUS_PATH,
  SERVICE_LOGIN_PATH,
]);

/** Whether a path is one of the sign-in flow's (server.ts routes these to `signInAnswer`). */
export const isSignInPath = (path: string): boolean => PATHS.has(path);

/**
 * Where a redirect may go: a path on this origin (not `//host`, not `/\host`), in the
 * characters a header carries; anything else is the chat page.
 */
export function safeContinue(value: string | null | undefined): string {
  return typeof value === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(value)
    ? value
    : DEFAULT_CONTINUE;
}

/** The identifier page's address, as Google's redirect spells it. */
export function signInUrl(continueUrl: string, flowName = DEFAULT_FLOW_NAME): string {
  const query = new URLSearchParams({ continue: safeContinue(continueUrl), flowName });
  return `${IDENTIFIER_PATH}?${query.toString()}`;
}

/** An e-mail address (something@something) or a phone number (7 to 15 digits). */
export function wellFormedIdentifier(value: string): boolean {
  const v = value.trim();
  if (v.length === 0 || v.length > 320) return false;
  if (/^[^\s@]+@[^\s@]+$/.test(v)) return true;
  const digits = v.replace(/\D/g, "").length;
  return /^\+?[\d\s().-]+$/.test(v) && digits >= 7 && digits <= 15;
}

export interface SignInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The urlencoded form of a POST (empty for a GET). */
  form: URLSearchParams;
}

export interface SignInAnswer {
  status: number;
  body: string;
  type: string;
  headers: Record<string, string>;
}

const page = (body: string): SignInAnswer => ({ status: 200, body, type: HTML, headers: {} });
const redirect = (location: string, headers: Record<string, string> = {}): SignInAnswer => ({
  status: 302,
  body: "",
  type: "text/plain",
  headers: { location, ...headers },
});
const jsonAnswer = (value: unknown): SignInAnswer => ({
  status: 200,
  body: JSON.stringify(value),
  type: "application/json",
  headers: {},
});

/** The flow a TL names, if it is still alive; an expired one is dropped. */
function liveFlow(state: SimState, token: string | null, now: number): SignInFlow | null {
  if (!token) return null;
  const flow = state.signInFlows.get(token);
  if (!flow) return null;
  if (now - flow.createdAt >= SIGN_IN_FLOW_TTL_MS) {
    state.signInFlows.delete(token);
    return null;
  }
  return flow;
}

function startFlow(state: SimState, identifier: string, continueUrl: string, now: number): string {
  for (const [token, flow] of state.signInFlows)
    if (now - flow.createdAt >= SIGN_IN_FLOW_TTL_MS) state.signInFlows.delete(token);
  const token = randomBytes(24).toString("base64url");
  state.signInFlows.set(token, {
    identifier,
    continue: safeContinue(continueUrl),
    stage: "password",
    createdAt: now,
    phoneShownAt: null,
    phoneApproved: false,
  });
  return token;
}

/** The end of a flow: a new session, its cookie, and the way back to where sign-in began. */
function finish(state: SimState, token: string, flow: SignInFlow): SignInAnswer {
  state.signInFlows.delete(token);
  const sid = randomBytes(16).toString("hex");
  state.sessions.add(sid);
  state.signedOut = false;
  return redirect(safeContinue(flow.continue), { "set-cookie": `SID=${sid}; Path=/; HttpOnly` });
}

/** Whether a flow's phone step is approved: by the control API, or by the time since it showed. */
function phoneApproved(state: SimState, flow: SignInFlow, now: number): boolean {
  const ms = state.options.signInPhoneApproveMs;
  if (!flow.phoneApproved && ms !== null && flow.phoneShownAt !== null)
    flow.phoneApproved = now - flow.phoneShownAt >= ms;
  return flow.phoneApproved;
}

/** `POST /__sim/signin/approve`: approves every flow waiting on its phone step; how many. */
export function approvePhoneSteps(state: SimState, now = Date.now()): number {
  let approved = 0;
  for (const [token, flow] of state.signInFlows) {
    if (!liveFlow(state, token, now) || flow.stage !== "phone" || flow.phoneApproved) continue;
    flow.phoneApproved = true;
    approved++;
  }
  return approved;
}

const pwdUrl = (token: string) => `${PASSWORD_PATH}?TL=${encodeURIComponent(token)}`;
const dpUrl = (token: string) => `${PHONE_PATH}?TL=${encodeURIComponent(token)}`;

/** The answer to a request on one of the flow's paths (see `isSignInPath`). */
export function signInAnswer(state: SimState, req: SignInRequest, now = Date.now()): SignInAnswer {
  const { method, path, query, form } = req;
  if (method !== "GET" && method !== "POST")
    return { status: 405, body: "Method not allowed", type: "text/plain", headers: {} };

  if (path === SERVICE_LOGIN_PATH) return redirect(signInUrl(query.get("continue") ?? ""));

  if (path === IDENTIFIER_PATH) {
    const continueUrl = safeContinue(form.get("continue") ?? query.get("continue"));
    const flowName = form.get("flowName") ?? query.get("flowName") ?? DEFAULT_FLOW_NAME;
    if (method === "GET") return page(identifierPage({ continueUrl, flowName }));
    const identifier = (form.get("identifier") ?? "").trim();
    if (!wellFormedIdentifier(identifier))
      return page(identifierPage({ continueUrl, flowName, identifier, error: IDENTIFIER_ERROR }));
    return redirect(pwdUrl(startFlow(state, identifier, continueUrl, now)));
  }

  const token = form.get("TL") ?? query.get("TL");
  const flow = liveFlow(state, token, now);

  if (path === PHONE_STATUS_PATH) {
    if (!flow || !token) return jsonAnswer({ status: "expired", next: signInUrl("") });
    if (flow.stage !== "phone") return jsonAnswer({ status: "expired", next: pwdUrl(token) });
    return jsonAnswer({ status: phoneApproved(state, flow, now) ? "approved" : "pending" });
  }

  if (!flow || !token) return redirect(signInUrl(""));

  if (path === PASSWORD_PATH) {
    if (flow.stage === "phone") return redirect(dpUrl(token));
    const { identifier } = flow;
    if (method === "GET") return page(passwordPage({ token, identifier }));
    const password = form.get("Passwd") ?? "";
    if (password === "")
      return page(passwordPage({ token, identifier, error: EMPTY_PASSWORD_ERROR }));
    if (password !== state.options.signInPassword)
      return page(passwordPage({ token, identifier, error: WRONG_PASSWORD_ERROR }));
    if (state.options.signInPhoneApproveMs === null) return finish(state, token, flow);
    flow.stage = "phone";
    return redirect(dpUrl(token));
  }

  // PHONE_PATH: the wait page, or (its form, posted once approved) the end of the flow.
  if (flow.stage !== "phone") return redirect(pwdUrl(token));
  if (method === "POST" && phoneApproved(state, flow, now)) return finish(state, token, flow);
  flow.phoneShownAt ??= now;
  return page(phonePage({ token, identifier: flow.identifier }));
}
