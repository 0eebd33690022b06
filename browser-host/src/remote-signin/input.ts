import type { SignInInput } from "@aistudio-edge/shared";
import type { CDPSession, Protocol } from "puppeteer-core";

/*
 * The operator's input as DevTools' Input domain takes it. A printable key goes down as
 * `keyDown` with its text (which is what types it); a key with no text (Backspace, Tab, arrows…)
 * as `rawKeyDown`, with the Windows virtual key code that editing and focus moves go by. Enter
 * is the exception: it carries "\r", because a form submits on the keypress that text makes, not
 * on the key going down. Nothing here logs: the text of a key is what the operator typed.
 */

export type CdpInputCall =
  | { method: "Input.dispatchMouseEvent"; params: Protocol.Input.DispatchMouseEventRequest }
  | { method: "Input.dispatchKeyEvent"; params: Protocol.Input.DispatchKeyEventRequest }
  | { method: "Input.insertText"; params: Protocol.Input.InsertTextRequest };

const CTRL = 2;
const META = 4;

/** Keys without a printable character, with their Windows virtual key codes. */
const VIRTUAL_KEYS: Readonly<Record<string, number>> = {
  Backspace: 8,
  Tab: 9,
  Enter: 13,
  Shift: 16,
  Control: 17,
  Alt: 18,
  Escape: 27,
  PageUp: 33,
  PageDown: 34,
  End: 35,
  Home: 36,
  ArrowLeft: 37,
  ArrowUp: 38,
  ArrowRight: 39,
  ArrowDown: 40,
  Delete: 46,
  Meta: 91,
};

/** The text a non-printable key still produces (and without which a form does not react). */
const KEY_TEXT: Readonly<Record<string, string>> = { Enter: "\r" };

/** One character that is not a control character: "a", "@", "é", " ". */
function printable(key: string): boolean {
  return [...key].length === 1 && !/\p{Cc}/u.test(key);
}

function virtualKeyCode(key: string): number | undefined {
  const named = VIRTUAL_KEYS[key];
  if (named !== undefined) return named;
  if (/^[a-z]$/i.test(key)) return key.toUpperCase().charCodeAt(0);
  if (/^[0-9]$/.test(key) || key === " ") return key.charCodeAt(0);
  return undefined;
}

const BUTTON_BITS: Readonly<Record<Protocol.Input.MouseButton, number>> = {
  none: 0,
  left: 1,
  right: 2,
  middle: 4,
  back: 8,
  forward: 16,
};

/** Maps input to DevTools calls, remembering which mouse buttons are held (for drags). */
export class InputMapper {
  private buttons = 0;

  map(input: SignInInput): CdpInputCall[] {
    switch (input.kind) {
      case "mouse": {
        const bit = BUTTON_BITS[input.button];
        if (input.action === "down") this.buttons |= bit;
        if (input.action === "up") this.buttons &= ~bit;
        const type = ({ down: "mousePressed", up: "mouseReleased", move: "mouseMoved" } as const)[
          input.action
        ];
        return [
          {
            method: "Input.dispatchMouseEvent",
            params: {
              type,
              x: input.x,
              y: input.y,
              button: input.button,
              buttons: this.buttons,
              clickCount: input.action === "move" ? 0 : input.clickCount,
              modifiers: input.modifiers,
            },
          },
        ];
      }
      case "wheel":
        return [
          {
            method: "Input.dispatchMouseEvent",
            params: {
              type: "mouseWheel",
              x: input.x,
              y: input.y,
              deltaX: input.deltaX,
              deltaY: input.deltaY,
              buttons: this.buttons,
            },
          },
        ];
      case "key": {
        const vk = virtualKeyCode(input.key);
        const common = {
          key: input.key,
          code: input.code,
          modifiers: input.modifiers,
          ...(vk !== undefined ? { windowsVirtualKeyCode: vk, nativeVirtualKeyCode: vk } : {}),
        };
        if (input.action === "up")
          return [{ method: "Input.dispatchKeyEvent", params: { type: "keyUp", ...common } }];
        // With Ctrl or Meta held a key is a shortcut (select all, copy), not text.
        const chord = (input.modifiers & (CTRL | META)) !== 0;
        const text = chord ? undefined : printable(input.key) ? input.key : KEY_TEXT[input.key];
        return [
          {
            method: "Input.dispatchKeyEvent",
            params: text
              ? { type: "keyDown", ...common, text, unmodifiedText: text }
              : { type: "rawKeyDown", ...common },
          },
        ];
      }
      case "text":
        return [{ method: "Input.insertText", params: { text: input.text } }];
    }
  }
}

/** Sends one call (a switch, so each method is checked against its own parameters). */
export function dispatch(cdp: CDPSession, call: CdpInputCall): Promise<unknown> {
  switch (call.method) {
    case "Input.dispatchMouseEvent":
      return cdp.send(call.method, call.params);
    case "Input.dispatchKeyEvent":
      return cdp.send(call.method, call.params);
    case "Input.insertText":
      return cdp.send(call.method, call.params);
  }
}
