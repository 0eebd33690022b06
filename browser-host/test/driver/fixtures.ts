import type { JobRequest } from "@aistudio-edge/shared";

/* Job requests more than one suite (and the benchmark) run: one definition each. */

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};

/** A job that sets every run setting but Google Search (which excludes function calling on 2026-08). */
export const EVERY_SETTING = {
  model: "gemini-2.5-flash",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Rome?" },
  ],
  temperature: 0.25,
  topP: 0.6,
  maxOutputTokens: 777,
  stop: ["STOP1", "###"],
  reasoningEffort: "low",
  tools: [WEATHER_TOOL],
} satisfies Partial<JobRequest>;

/** What the page sends for EVERY_SETTING, decoded (Google Search as the test asks for it). */
export const everySettingSent = (googleSearch: boolean) => ({
  model: "gemini-2.5-flash",
  systemInstruction: "You are terse.",
  temperature: 0.25,
  topP: 0.6,
  maxOutputTokens: 777,
  stopSequences: ["STOP1", "###"],
  thinking: { includeThoughts: true, budget: 1024, level: null },
  tools: { googleSearch, codeExecution: false, urlContext: false, functions: [WEATHER_TOOL] },
});

/** A small response_format schema, already in AI Studio's subset. */
export const ANSWER_SCHEMA = {
  type: "object",
  properties: { answer: { type: "string" } },
  required: ["answer"],
};
