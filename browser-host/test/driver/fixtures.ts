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
