import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeExecutionAnswer, urlContextAnswer } from "../browser-host/simulator/answers.js";
import type { RecordedRequest } from "../browser-host/simulator/sim-state.js";
import { startDemo, type Demo } from "./helpers.js";

/*
 * AI Studio's built-in tools from every door, through the whole stack (wrangler dev → browser
 * host → Chromium → the simulator): each door's own way of asking for URL context or code
 * execution turns the page's switch on (the recorded GenerateContent request carries the
 * tool), and what the tool did reaches the client's answer — the simulator's fetched-URL lines,
 * or the code and its output as fenced blocks.
 */

const MODEL = "gemini-2.5-flash";

describe("built-in tools through every door", () => {
  let demo: Demo;
  let simulator: string;
  const lastTools = async () => {
    const recorded = (await (
      await fetch(`${simulator}/__sim/requests`)
    ).json()) as RecordedRequest[];
    return recorded.at(-1)!.request.tools;
  };
  /** The fenced blocks the host writes for the simulator's code execution answer. */
  const codeBlocks = (prompt: string) => {
    const { code, output } = codeExecutionAnswer(prompt);
    return [`\`\`\`python\n${code}\n\`\`\``, `\`\`\`output\n${output}`];
  };

  beforeAll(async () => {
    demo = await startDemo(["--lanes", "2"]);
    simulator = demo.state.simulatorUrl;
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
  }, 60_000);

  it("chat completions: a code_execution tool runs code, and its output is in the answer", async () => {
    const openai = new OpenAI({ apiKey: demo.state.apiKey, baseURL: demo.state.baseUrl });
    const prompt = "Please compute the sum for me.";
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: prompt }],
      // Not in the SDK's types: the Gemini API's name for the tool, which this door takes.
      tools: [{ type: "code_execution" } as unknown as OpenAI.ChatCompletionTool],
    });
    const content = completion.choices[0]!.message.content!;
    for (const block of codeBlocks(prompt)) expect(content).toContain(block);
    expect(content).toContain(codeExecutionAnswer(prompt).text);
    expect(await lastTools()).toMatchObject({ codeExecution: true, urlContext: false });
  });

  it("chat completions: function tools beside a built-in one are a 400, not half an answer", async () => {
    const openai = new OpenAI({ apiKey: demo.state.apiKey, baseURL: demo.state.baseUrl });
    const refused = await openai.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: "user", content: "Compute and call f." }],
        tools: [
          { type: "code_execution" } as unknown as OpenAI.ChatCompletionTool,
          { type: "function", function: { name: "f", parameters: { type: "object" } } },
        ],
      })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).code).toBe("upstream_unsupported");
  });

  it("Anthropic: web_fetch reads the linked page through URL context", async () => {
    const anthropic = new Anthropic({
      apiKey: demo.state.apiKey,
      baseURL: demo.state.baseUrl.replace(/\/v1$/, ""),
    });
    const prompt = "Summarise https://example.com/news/today please.";
    const message = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 512,
      messages: [{ role: "user", content: prompt }],
      tools: [{ type: "web_fetch_20250910", name: "web_fetch" }],
    });
    const text = message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
    expect(text).toBe(urlContextAnswer(MODEL, prompt));
    expect(await lastTools()).toMatchObject({ urlContext: true, codeExecution: false });
  });

  it("Gemini: codeExecution and urlContext tools together", async () => {
    const ai = new GoogleGenAI({
      apiKey: demo.state.apiKey,
      httpOptions: { baseUrl: demo.state.baseUrl.replace(/\/v1$/, "") },
    });
    const prompt = "Run the numbers on https://example.com/data.csv";
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: prompt,
      config: { tools: [{ codeExecution: {} }, { urlContext: {} }] },
    });
    for (const block of codeBlocks(prompt)) expect(response.text).toContain(block);
    expect(await lastTools()).toMatchObject({ codeExecution: true, urlContext: true });
  });

  it("Responses: code_interpreter runs code", async () => {
    const openai = new OpenAI({ apiKey: demo.state.apiKey, baseURL: demo.state.baseUrl });
    const prompt = "Execute a quick sum.";
    const response = await openai.responses.create({
      model: MODEL,
      input: prompt,
      tools: [{ type: "code_interpreter", container: { type: "auto" } }],
    });
    for (const block of codeBlocks(prompt)) expect(response.output_text).toContain(block);
    expect(await lastTools()).toMatchObject({ codeExecution: true });
  });
});
