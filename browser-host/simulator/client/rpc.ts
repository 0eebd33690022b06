import { encodeRequest, type RequestSpec } from "../../src/wire/generate-content-request.js";
import { decodeChunk, type WireEvent } from "../../src/wire/generate-content-response.js";
import { JspbArrayScanner } from "../../src/wire/jspb-array-scanner.js";

/*
 * The page's RPC client: XMLHttpRequest, as the real grpc-web client uses (facts §3.1), with
 * the same headers. Paths are the real ones on this page's own origin.
 */

const SERVICE = "/$rpc/google.internal.alkali.applications.makersuite.v1.MakerSuiteService/";
const HEADERS: Record<string, string> = {
  "content-type": "application/json+protobuf",
  "x-user-agent": "grpc-web-javascript/0.1",
  "x-goog-api-key": "AIzaSySimulatedPublicWebAppKey000000000",
  "x-goog-authuser": "0",
};

function open(name: string): XMLHttpRequest {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", SERVICE + name);
  xhr.withCredentials = true;
  for (const [k, v] of Object.entries(HEADERS)) xhr.setRequestHeader(k, v);
  return xhr;
}

export function call(name: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const xhr = open(name);
    xhr.onloadend = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.send(JSON.stringify(body));
  });
}

/** A BotGuard-like token: `!` and a digest-looking string, new per request (facts §3.2 [4]). */
export function botguardToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(96));
  return `!${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "")}`;
}

export interface StreamHandlers {
  onHeaders(xhr: XMLHttpRequest): void;
  onEvent(event: WireEvent): void;
  onEnd(status: number, text: string, aborted: boolean): void;
}

/** Sends GenerateContent and feeds the growing response through the scanner as it arrives. */
export function generateContent(spec: RequestSpec, handlers: StreamHandlers): XMLHttpRequest {
  const xhr = open("GenerateContent");
  const scanner = new JspbArrayScanner();
  let seen = 0;
  let aborted = false;
  const drain = () => {
    if (xhr.status !== 200) return;
    const text = xhr.responseText;
    if (text.length === seen) return;
    const fresh = text.slice(seen);
    seen = text.length;
    for (const element of scanner.push(fresh))
      for (const event of decodeChunk(JSON.parse(element))) handlers.onEvent(event);
  };
  xhr.onreadystatechange = () => {
    if (xhr.readyState === XMLHttpRequest.HEADERS_RECEIVED) handlers.onHeaders(xhr);
    if (xhr.readyState === XMLHttpRequest.LOADING) drain();
  };
  xhr.onabort = () => {
    aborted = true;
  };
  xhr.onloadend = () => {
    drain();
    handlers.onEnd(xhr.status, xhr.status === 200 ? "" : xhr.responseText, aborted);
  };
  xhr.send(JSON.stringify(encodeRequest(spec)));
  return xhr;
}
