import type { SelectorName } from "../driver/selectors.js";

/*
 * What the driver needs of each selector concept, for `npm run self-check`. required: every job
 * touches it. needed: a job that asks for some setting does (temperature, tools, …); a missing
 * one fails those jobs as upstream_ui_changed, so it fails the self-check too. optional: the
 * driver copes without it, or it shows only in a state a fresh page is not in (an error, a chip).
 * A concept added to selectors.ts must be classified here: the compiler asks for it.
 */

export const NEEDS = ["required", "needed", "optional"] as const;
export type Need = (typeof NEEDS)[number];

export interface ConceptRule {
  need: Need;
  /** What the driver does with it, in the words of the report. */
  use: string;
  /** Only for models with this thinking control (a Gemini 3 level, or a 2.5 budget). */
  thinking?: "level" | "budget";
  /** Only on a chat with turns: checked on the --run page, after its answer. */
  afterRun?: true;
}

export const CONCEPT_RULES = {
  promptTextarea: { need: "required", use: "every job puts its prompt here" },
  runButton: { need: "required", use: "every job presses Run (and Stop to cancel)" },
  modelName: { need: "required", use: "every job checks which model the page shows" },
  modelPicker: { need: "needed", use: "chooses a model that ?model= did not select" },
  modelSearch: { need: "optional", use: "narrows the model list (the driver copes without)" },
  modelOption: { need: "needed", use: "chooses a model that ?model= did not select" },
  chatTurn: {
    need: "required",
    use: "tells whether the chat must be cleared before a job",
    afterRun: true,
  },
  newChat: { need: "required", use: "clears the chat before each job after the first" },
  dialogConfirm: {
    need: "required",
    use: "confirms clearing the chat (Discard and continue)",
    afterRun: true,
  },
  moreActions: { need: "needed", use: "opens the menu that holds temporary chat" },
  temporaryToggle: { need: "needed", use: "turns temporary chat on (else chats go to Drive)" },
  temporaryChecked: { need: "optional", use: "shows temporary chat is on (2026-08)" },
  openMenu: { need: "optional", use: "an open menu panel" },
  temporaryIndicator: { need: "optional", use: "shows temporary chat is on (before 2026-08)" },
  runSettings: { need: "required", use: "holds every run setting; Gemini 3 jobs turn Search off" },
  runSettingsToggle: { need: "needed", use: "opens the run settings panel when it is closed" },
  temperature: { need: "needed", use: "temperature" },
  topP: { need: "needed", use: "top_p" },
  maxTokens: { need: "needed", use: "max_tokens" },
  stopInput: { need: "needed", use: "stop" },
  stopChipRemove: { need: "optional", use: "stop sequences set now (shown only while one is)" },
  thinkingToggle: { need: "needed", use: "reasoning_effort none", thinking: "budget" },
  manualBudgetToggle: {
    need: "needed",
    use: "reasoning_effort as a budget",
    thinking: "budget",
  },
  budgetInput: { need: "needed", use: "reasoning_effort as a budget", thinking: "budget" },
  thinkingLevel: { need: "needed", use: "reasoning_effort as a level", thinking: "level" },
  levelOption: { need: "needed", use: "reasoning_effort as a level", thinking: "level" },
  structuredOutput: { need: "needed", use: "response_format" },
  schemaEdit: { need: "needed", use: "response_format with a schema" },
  // Optional though jobs use them: few ask for these tools, and a page without them (a model
  // that lacks the tool) still serves every other job; the jobs that ask fail or drop them.
  codeExecution: {
    need: "optional",
    use: "tools.code_execution; turned off when it blocks function calling",
  },
  functionCalling: { need: "needed", use: "tools" },
  functionEdit: { need: "needed", use: "tools: opens the declarations dialog" },
  declarationsEditor: { need: "needed", use: "tools / response_format: the dialog's JSON" },
  declarationsSave: { need: "needed", use: "tools / response_format: saves the dialog" },
  googleSearch: { need: "needed", use: "web_search_options; off for every Gemini 3 job" },
  urlContext: {
    need: "optional",
    use: "tools.url_context; turned off when it blocks function calling",
  },
  systemInstructionsOpen: { need: "needed", use: "system messages: opens the field" },
  systemInstructions: { need: "needed", use: "system messages" },
  dialogError: { need: "optional", use: "a dialog's refusal of the JSON (only then)" },
  dialogClose: { need: "optional", use: "closes a dialog (the overlay step does otherwise)" },
  errorCallout: { need: "optional", use: "error surface (absent on a healthy page)" },
  toastError: { need: "optional", use: "error surface (absent on a healthy page)" },
  turnError: { need: "optional", use: "error surface (absent on a healthy page)" },
  pageAlert: { need: "optional", use: "error surface (absent on a healthy page)" },
  tokenCount: { need: "optional", use: "long prompts wait for it to settle" },
  collapsedGroup: { need: "optional", use: "a collapsed settings group, opened by the driver" },
  mediaButton: { need: "needed", use: "a job with files opens the media menu" },
  uploadInput: {
    need: "optional",
    use: "a job with files sets them here (else through the file chooser); only while the media menu is open",
  },
  uploadMenuItem: {
    need: "optional",
    use: 'opens the file chooser ("Upload a file") when the menu has no file input; only while the menu is open',
  },
  mediaRemove: { need: "optional", use: "each file's preview, counted to know the page took it" },
  aspectRatio: { need: "optional", use: "image models only: the aspect ratio of an image" },
  aspectRatioOption: { need: "optional", use: "image models only: the ratios offered" },
  signInForm: { need: "optional", use: "Google's sign-in page only" },
} satisfies Record<SelectorName, ConceptRule>;

export const CONCEPTS = Object.keys(CONCEPT_RULES) as SelectorName[];

/** The rule of a concept, typed as the interface (the literal object's type is narrower). */
export const ruleOf = (name: SelectorName): ConceptRule => CONCEPT_RULES[name];
