import {
  plainJobRequest,
  type JobAttachment,
  type JobMessage,
  type JobRequest,
} from "@aistudio-edge/shared";
import { describe, expect, it } from "vitest";
import { renderPrompt, systemInstructionOf } from "../../src/driver/prompt-render.js";

/* The OpenAI conversation as the one prompt a fresh AI Studio chat gets, and its system instructions. */

const request = (messages: JobMessage[]): JobRequest =>
  plainJobRequest({ model: "gemini-2.5-flash", messages });

const ASK = "Reply as the assistant to the last message.";
const CONTINUE = "Continue as the assistant, using the tool results above.";

describe("prompt rendering", () => {
  it("sends a lone user message as it is, without markers", () => {
    expect(renderPrompt(request([{ role: "user", content: "Hello [User] there" }]))).toBe(
      "Hello [User] there",
    );
  });

  it("still sends the lone user message as it is beside system messages", () => {
    expect(
      renderPrompt(
        request([
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ]),
      ),
    ).toBe("Hi");
  });

  it("writes a conversation with role markers and asks for the next reply", () => {
    const prompt = renderPrompt(
      request([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi", name: "ana" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Tides?" },
      ]),
    );
    expect(prompt).toBe(
      `The conversation so far:\n\n[User ana]\nHi\n\n[Assistant]\nHello!\n\n[User]\nTides?\n\n${ASK}`,
    );
  });

  it("writes tool calls and results, and asks to continue after a tool result", () => {
    const prompt = renderPrompt(
      request([
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "call_1", name: "get_weather", arguments: '{"city":"Rome"}' },
            { id: "call_2", name: "get_time", arguments: "{}" },
          ],
        },
        { role: "tool", content: '{"temp":21}', toolCallId: "call_1", name: "get_weather" },
        { role: "tool", content: "12:00" },
      ]),
    );
    expect(prompt).toBe(
      [
        "The conversation so far:",
        "",
        "[User]\nWeather?",
        "",
        // No empty "[Assistant]" header when the turn was only calls.
        '[Assistant called tool get_weather (id call_1) with arguments {"city":"Rome"}]\n[Assistant called tool get_time (id call_2) with arguments {}]',
        "",
        '[Tool result from get_weather for call call_1]\n{"temp":21}',
        "",
        "[Tool result]\n12:00",
        "",
        CONTINUE,
      ].join("\n"),
    );
  });

  it("keeps an assistant's text and its calls together", () => {
    const prompt = renderPrompt(
      request([
        { role: "user", content: "a" },
        {
          role: "assistant",
          content: "Let me look.",
          toolCalls: [{ id: "c", name: "f", arguments: "{}" }],
        },
        { role: "user", content: "b" },
      ]),
    );
    expect(prompt).toContain(
      "[Assistant]\nLet me look.\n[Assistant called tool f (id c) with arguments {}]\n\n[User]\nb",
    );
  });

  it("leaves out an assistant turn with neither text nor calls", () => {
    const prompt = renderPrompt(
      request([
        { role: "user", content: "a" },
        { role: "assistant", content: "" },
        { role: "user", content: "b" },
      ]),
    );
    expect(prompt).toBe(`The conversation so far:\n\n[User]\na\n\n[User]\nb\n\n${ASK}`);
  });

  it("marks each file where it was sent, numbered across the conversation", () => {
    const prompt = renderPrompt(
      request([
        {
          role: "user",
          content: "What is in these?",
          attachments: [file("image/png"), file("application/pdf")],
        },
        { role: "assistant", content: "A cat and a report." },
        {
          role: "user",
          content: "And this one, compared with the first picture?",
          attachments: [file("image/jpeg")],
        },
      ]),
    );
    expect(prompt).toBe(
      "The conversation so far:\n\n" +
        "[User]\nWhat is in these?\n[attachment 1: image/png]\n[attachment 2: application/pdf]\n\n" +
        "[Assistant]\nA cat and a report.\n\n" +
        "[User]\nAnd this one, compared with the first picture?\n[attachment 3: image/jpeg]\n\n" +
        ASK,
    );
  });

  it("keeps a lone message as it is, with its files marked after it", () => {
    expect(
      renderPrompt(
        request([{ role: "user", content: "Describe it.", attachments: [file("image/webp")] }]),
      ),
    ).toBe("Describe it.\n\n[attachment 1: image/webp]");
    expect(
      renderPrompt(request([{ role: "user", content: "", attachments: [file("audio/wav")] }])),
    ).toBe("[attachment 1: audio/wav]");
  });

  it("says which files came with the system instructions, and counts them first", () => {
    const prompt = renderPrompt(
      request([
        { role: "system", content: "Use the style guide.", attachments: [file("application/pdf")] },
        { role: "user", content: "Write a title.", attachments: [file("image/png")] },
      ]),
    );
    expect(prompt).toBe(
      "[system attachment 1: application/pdf]\n\nWrite a title.\n\n[attachment 2: image/png]",
    );
  });

  it("renders a lone assistant message with markers", () => {
    expect(renderPrompt(request([{ role: "assistant", content: "Hi" }]))).toBe(
      `The conversation so far:\n\n[Assistant]\nHi\n\n${ASK}`,
    );
  });
});

describe("system instructions", () => {
  it("joins the system messages the conversation starts with, in order, with a blank line", () => {
    expect(
      systemInstructionOf(
        request([
          { role: "system", content: "One." },
          { role: "system", content: "Two." },
          { role: "user", content: "x" },
          { role: "system", content: "Later." },
        ]),
      ),
    ).toBe("One.\n\nTwo.");
  });

  it("keeps a system message in the middle of the conversation at its place, marked", () => {
    // SillyTavern's author's note: a system message two turns from the end.
    const r = request([
      { role: "system", content: "You are Mira." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "system", content: "[Author's note: it is raining]" },
      { role: "user", content: "What now?" },
    ]);
    expect(systemInstructionOf(r)).toBe("You are Mira.");
    expect(renderPrompt(r)).toBe(
      [
        "The conversation so far:",
        "[User]\nHi",
        "[Assistant]\nHello!",
        "[System]\n[Author's note: it is raining]",
        "[User]\nWhat now?",
        ASK,
      ].join("\n\n"),
    );
  });

  it("is empty without system messages, and system text never enters the prompt", () => {
    const r = request([
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
    ]);
    expect(systemInstructionOf(r)).toBe("");
    const withSystem = request([
      { role: "system", content: "SECRET RULES" },
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
    ]);
    expect(renderPrompt(withSystem)).not.toContain("SECRET RULES");
  });
});

function file(mimeType: string): JobAttachment {
  return { kind: "file", mimeType, filename: "f", bytes: 1, sha256: "0".repeat(64) };
}
