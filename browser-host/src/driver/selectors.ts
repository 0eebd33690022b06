/*
 * Every selector the driver uses, in one place. Each concept has a name, what it anchors to,
 * and its candidates in the order they are tried, with the UI generation and when it was last
 * seen on the real site (facts §1.2, §7). Candidates are tried one by one, never joined with a
 * comma: a comma list matches the first element in document order, not the first selector
 * that works, which hides which generation the page is.
 */

export interface Candidate {
  css: string;
  ui: "2026-08" | "2026" | "2025" | "any";
  seen: string;
  /** Where the candidate comes from: built in (unset), or the operator's SELECTORS_FILE. */
  source?: "override";
}

export interface SelectorSpec {
  name: string;
  anchors: string;
  candidates: Candidate[];
}

const spec = (name: string, anchors: string, candidates: Candidate[]): SelectorSpec => ({
  name,
  anchors,
  candidates,
});

export const SELECTORS = {
  promptTextarea: spec(
    "prompt textarea",
    "the textarea of the prompt box in the page footer (not a turn's edit box)",
    [
      {
        css: 'ms-prompt-box textarea[formcontrolname="promptText"]',
        ui: "2026-08",
        seen: "2026-08",
      },
      { css: "footer ms-prompt-box textarea", ui: "2026", seen: "2026-07" },
      { css: "ms-prompt-box ms-autosize-textarea textarea", ui: "2026", seen: "2026-02" },
      { css: "ms-prompt-input-wrapper ms-autosize-textarea textarea", ui: "2025", seen: "2025-12" },
      { css: "ms-prompt-input-wrapper textarea", ui: "2025", seen: "2025-05" },
    ],
  ),
  runButton: spec(
    "Run button",
    "the footer's Run/Stop button (each turn has its own rerun button, so scope to the footer)",
    [
      { css: 'ms-prompt-box ms-run-button button[type="submit"]', ui: "2026-08", seen: "2026-08" },
      { css: "footer ms-run-button button", ui: "2026", seen: "2026-07" },
      { css: "ms-run-button button.ms-button-primary", ui: "2026", seen: "2026-02" },
      { css: 'run-button button.run-button[aria-label="Run"]', ui: "2025", seen: "2025-05" },
      { css: "footer run-button button", ui: "2025", seen: "2025-05" },
    ],
  ),
  modelName: spec(
    "model name",
    "the current model in the run settings: its id (2026), or the model card whose text holds the display name and id (2026-08)",
    [
      { css: '[data-test-id="model-name"]', ui: "2026", seen: "2026-06" },
      { css: "ms-model-selector button.model-selector-card", ui: "2026-08", seen: "2026-08" },
      { css: "ms-model-selector", ui: "2026-08", seen: "2026-08" },
    ],
  ),
  modelPicker: spec(
    "model picker",
    "the model card (2026) or selector button (2025) that opens the model selection dialog",
    [
      { css: "ms-model-selector button.model-selector-card", ui: "2026-08", seen: "2026-08" },
      { css: "button[data-test-model-selector-card]", ui: "2026", seen: "2026-06" },
      { css: "ms-model-selector-v3 > button", ui: "2025", seen: "2025-08" },
    ],
  ),
  modelSearch: spec("model search box", "the search field of the model selection dialog", [
    { css: 'mat-dialog-container input[aria-label="Search"]', ui: "2026-08", seen: "2026-08" },
    { css: 'input[aria-label="Search for a model"]', ui: "2026", seen: "2026-06" },
  ]),
  modelOption: spec(
    "model option",
    "the model cards of the selection dialog, told apart by the model id in their text",
    [
      { css: "mat-dialog-container .content-button", ui: "2026-08", seen: "2026-08" },
      { css: '.model-list [role="option"]', ui: "2026", seen: "2026-06" },
      { css: "ms-model-carousel-row", ui: "2025", seen: "2025-08" },
    ],
  ),
  chatTurn: spec("chat turn", "each turn of the chat, user or model (a fresh chat has none)", [
    { css: "ms-chat-turn", ui: "any", seen: "2026-04" },
  ]),
  newChat: spec("New chat button", "the toolbar button that clears the chat", [
    {
      css: 'button[data-test-clear="outside"][aria-label="New chat"]',
      ui: "2026",
      seen: "2026-04",
    },
    { css: 'button[aria-label="New chat"]', ui: "2026", seen: "2025-08" },
    {
      css: 'button[data-test-clear="outside"][aria-label="Clear chat"]',
      ui: "2025",
      seen: "2025-08",
    },
    { css: 'button[aria-label="Clear chat"]', ui: "2025", seen: "2025-05" },
  ]),
  dialogConfirm: spec(
    "dialog confirm button",
    'the primary buttons of open dialogs, told apart by their text ("Discard and continue", earlier "Continue"): a first-run dialog has a primary button too',
    [
      { css: "mat-dialog-container button.ms-button-primary", ui: "2026-08", seen: "2026-08" },
      { css: "mat-mdc-dialog-container button.ms-button-primary", ui: "any", seen: "2025-08" },
      {
        css: ".mat-mdc-dialog-inner-container button.ms-button-primary",
        ui: "any",
        seen: "2025-08",
      },
    ],
  ),
  moreActions: spec("More actions button", "the toolbar's overflow menu", [
    { css: 'button[aria-label="View more actions"]', ui: "any", seen: "2026-04" },
  ]),
  temporaryToggle: spec(
    "temporary chat toggle",
    "the temporary chat item, usually inside the More actions menu",
    [
      { css: 'button[aria-label="Toggle temporary chat"]', ui: "2026", seen: "2026-04" },
      { css: "button[data-test-incognito-toggle]", ui: "2026", seen: "2026-04" },
      { css: 'button[aria-label="Temporary chat toggle"]', ui: "2025", seen: "2025-08" },
    ],
  ),
  temporaryChecked: spec(
    "temporary chat checkmark",
    "the checkmark in the More actions menu's temporary chat item, the only sign of its state in 2026-08",
    [
      { css: "[data-test-incognito-checkmark]", ui: "2026-08", seen: "2026-08" },
      { css: "button.ms-button-active[data-test-incognito-toggle]", ui: "2026", seen: "2026-04" },
    ],
  ),
  openMenu: spec("open menu", "a menu panel open in the overlay container", [
    { css: '.cdk-overlay-pane [role="menu"]', ui: "any", seen: "2026-08" },
    { css: ".cdk-overlay-pane .mat-mdc-menu-panel", ui: "any", seen: "2026-04" },
  ]),
  temporaryIndicator: spec(
    "temporary chat indicator",
    "the header banner shown while temporary chat is on",
    [
      {
        css: 'ms-incognito-mode-indicator [data-test-id="main-text"]',
        ui: "2026",
        seen: "2026-04",
      },
      {
        css: 'button.ms-button-active[aria-label="Temporary chat toggle"]',
        ui: "2025",
        seen: "2025-08",
      },
    ],
  ),
  runSettings: spec(
    "run settings panel",
    "the right-hand settings panel, only in the DOM while open",
    [
      { css: "ms-run-settings", ui: "2026", seen: "2026-06" },
      { css: "ms-prompt-run-settings", ui: "2025", seen: "2025-08" },
    ],
  ),
  runSettingsToggle: spec("run settings toggle", "the button that opens the settings panel", [
    { css: 'button[aria-label="Toggle run settings panel"]', ui: "any", seen: "2025-09" },
    { css: 'button[aria-label="Show run settings"]', ui: "2025", seen: "2025-05" },
  ]),
  temperature: spec("temperature input", "the number box beside the temperature slider (max 2)", [
    // 2026-08: no type="number"; the range input carries the same aria-label, hence inputmode.
    {
      css: 'input[inputmode="decimal"][aria-label="Temperature"]',
      ui: "2026-08",
      seen: "2026-08",
    },
    { css: '[role="spinbutton"][aria-label="Temperature"]', ui: "2026-08", seen: "2026-08" },
    { css: 'ms-slider input[type="number"][max="2"]', ui: "2026", seen: "2026-01" },
    { css: 'input.slider-number-input[aria-valuemax="2"]', ui: "2026", seen: "2026-01" },
    {
      css: '[data-test-id="temperatureSliderContainer"] input[type="number"]',
      ui: "2025",
      seen: "2025-05",
    },
  ]),
  topP: spec("top-P input", "the number box beside the top-P slider (max 1)", [
    {
      css: 'div[mattooltip="Probability threshold for top-p sampling"] input[inputmode="decimal"]',
      ui: "2026-08",
      seen: "2026-08",
    },
    { css: 'input[inputmode="decimal"][aria-label="Top P"]', ui: "2026-08", seen: "2026-08" },
    { css: 'ms-slider input[type="number"][max="1"]', ui: "2026", seen: "2026-01" },
    { css: 'input.slider-number-input[aria-valuemax="1"]', ui: "2026", seen: "2026-01" },
    {
      css: '[data-test-id="topPSliderContainer"] input[type="number"]',
      ui: "2025",
      seen: "2025-05",
    },
  ]),
  maxTokens: spec("max output tokens input", "the output length field", [
    { css: 'input[aria-label="Maximum output tokens"]', ui: "any", seen: "2026-01" },
  ]),
  stopInput: spec("stop sequence input", "the field where Enter adds a stop-sequence chip", [
    { css: "ms-stop-sequence-input input#chip-input", ui: "2026-08", seen: "2026-08" },
    { css: 'input[aria-label="Add stop sequence"]', ui: "2026-08", seen: "2026-08" },
    { css: 'input[aria-label="Add stop token"]', ui: "any", seen: "2026-01" },
  ]),
  stopChipRemove: spec(
    "stop sequence chip remove button",
    'the remove button of each stop-sequence chip, labelled "Remove <sequence>" (the label is how a chip is told apart)',
    [
      { css: 'mat-chip-row button[aria-label^="Remove "]', ui: "2026-08", seen: "2026-08" },
      { css: 'mat-chip button[aria-label^="Remove "]', ui: "any", seen: "2026-01" },
    ],
  ),
  thinkingToggle: spec("thinking switch", "the switch turning thinking on or off (budget models)", [
    {
      css: 'mat-slide-toggle[data-test-toggle="enable-thinking"] button[role="switch"]',
      ui: "any",
      seen: "2025-12",
    },
    { css: 'button[role="switch"][aria-label="Toggle thinking mode"]', ui: "any", seen: "2025-12" },
  ]),
  manualBudgetToggle: spec(
    "manual budget switch",
    "the switch between an automatic and a manual thinking budget",
    [
      {
        css: 'mat-slide-toggle[data-test-toggle="manual-budget"] button[role="switch"]',
        ui: "any",
        seen: "2025-12",
      },
      {
        css: 'button[role="switch"][aria-label="Toggle thinking budget between auto and manual"]',
        ui: "any",
        seen: "2025-12",
      },
    ],
  ),
  budgetInput: spec("thinking budget input", "the number field of a manual thinking budget", [
    {
      css: '[data-test-id="user-setting-budget-animation-wrapper"] input[type="number"]',
      ui: "any",
      seen: "2025-12",
    },
    { css: '[data-test-slider] input[type="number"]', ui: "any", seen: "2025-12" },
  ]),
  thinkingLevel: spec("thinking level select", "the Gemini 3 thinking level drop-down", [
    { css: 'mat-select[aria-label="Thinking Level"]', ui: "any", seen: "2025-11" },
    { css: '[role="combobox"][aria-label="Thinking level"]', ui: "any", seen: "2025-11" },
    { css: "ms-thinking-level-setting mat-select", ui: "2026-08", seen: "2026-04" },
  ]),
  levelOption: spec("thinking level option", "the options of the open level list", [
    { css: '[role="listbox"] [role="option"]', ui: "any", seen: "2025-11" },
  ]),
  structuredOutput: spec("structured output switch", "the structured output tool switch", [
    {
      css: '[data-test-id="structuredOutputTooltip"] button[role="switch"]',
      ui: "any",
      seen: "2025-05",
    },
    {
      css: 'button[role="switch"][aria-label="Structured outputs"]',
      ui: "2026-08",
      seen: "2026-08",
    },
    { css: 'button[role="switch"][aria-label="Structured output"]', ui: "any", seen: "2025-05" },
  ]),
  schemaEdit: spec("edit schema button", 'the "Edit JSON schema" button of structured output', [
    {
      css: '[data-test-id="structuredOutputTooltip"] button:not([role="switch"])',
      ui: "any",
      seen: "2025-05",
    },
  ]),
  codeExecution: spec("code execution switch", "the code execution tool switch", [
    {
      css: '[data-test-id="codeExecutionTooltip"] button[role="switch"]',
      ui: "any",
      seen: "2025-05",
    },
  ]),
  functionCalling: spec("function calling switch", "the function calling tool switch", [
    {
      css: '[data-test-id="functionCallingTooltip"] mat-slide-toggle button[role="switch"]',
      ui: "any",
      seen: "2026-01",
    },
    { css: 'button[role="switch"][aria-label="Function calling"]', ui: "any", seen: "2026-01" },
  ]),
  functionEdit: spec(
    "edit function declarations button",
    "opens the declarations dialog (enabled only while function calling is on)",
    [
      {
        css: 'button.edit-function-declarations-button[aria-label="Edit function declarations"]',
        ui: "any",
        seen: "2026-01",
      },
      { css: 'button[aria-label="Edit function declarations"]', ui: "any", seen: "2026-01" },
    ],
  ),
  declarationsEditor: spec(
    "declarations editor",
    "the code editor textarea of the declarations (or schema) dialog",
    [
      { css: "mat-dialog-container ms-text-editor textarea", ui: "2026-08", seen: "2026-08" },
      { css: "mat-mdc-dialog-container ms-text-editor textarea", ui: "any", seen: "2026-01" },
      { css: "ms-text-editor textarea", ui: "any", seen: "2026-01" },
    ],
  ),
  declarationsSave: spec(
    "declarations save button",
    "saves the dialog's declarations (or schema)",
    [
      {
        css: 'button[aria-label="Save the current function declarations"]',
        ui: "any",
        seen: "2026-01",
      },
      // [I] Seen only in the simulator: the schema dialog's save button.
      { css: 'button[aria-label="Save the current schema"]', ui: "any", seen: "simulator" },
    ],
  ),
  googleSearch: spec("Google Search switch", "the Grounding with Google Search tool switch", [
    {
      css: 'div[data-test-id="searchAsAToolTooltip"] mat-slide-toggle button',
      ui: "any",
      seen: "2026-02",
    },
    {
      css: 'button[role="switch"][aria-label="Grounding with Google Search"]',
      ui: "any",
      seen: "2026-02",
    },
  ]),
  urlContext: spec("URL context switch", "the URL context tool switch", [
    { css: 'button[aria-label="Browse the url context"]', ui: "any", seen: "2026-01" },
  ]),
  systemInstructionsOpen: spec(
    "system instructions opener",
    "the card (2026) or toolbar button (2025) that shows the system instructions field",
    [
      { css: "button[data-test-system-instructions-card]", ui: "2026", seen: "2026-02" },
      {
        css: 'button[aria-label="System instructions"][data-test-si]',
        ui: "2025",
        seen: "2025-05",
      },
    ],
  ),
  systemInstructions: spec(
    "system instructions field",
    "the system instructions textarea once shown",
    [
      {
        css: "mat-dialog-container ms-system-instructions textarea",
        ui: "2026-08",
        seen: "2026-08",
      },
      { css: 'textarea[aria-label="System instructions"]', ui: "2026", seen: "2026-02" },
      { css: "ms-system-instructions textarea", ui: "2025", seen: "2025-05" },
    ],
  ),
  dialogError: spec(
    "dialog error",
    'the error a declarations or schema dialog shows when it refuses the JSON ("Unknown key …")',
    [
      { css: 'mat-dialog-container [role="alert"]', ui: "2026-08", seen: "2026-08" },
      { css: 'mat-mdc-dialog-container [role="alert"]', ui: "any", seen: "simulator" },
    ],
  ),
  dialogClose: spec("dialog close button", "the close button of a panel or dialog", [
    { css: "button[data-test-close-button]", ui: "any", seen: "2026-02" },
  ]),
  errorCallout: spec("error callout", "the red callout above the prompt box (quota texts)", [
    { css: "ms-callout.error-callout .message", ui: "any", seen: "2025-11" },
  ]),
  toastError: spec("error toast", "error and warning toasts and snack bars", [
    { css: "mat-snack-bar-container", ui: "2026-08", seen: "2026-08" },
    { css: "div.toast.error", ui: "any", seen: "2025-06" },
    { css: "div.toast.warning", ui: "any", seen: "2025-06" },
  ]),
  turnError: spec("turn error", "the error text inside the last model turn", [
    { css: "ms-error-message", ui: "2026-08", seen: "2026-08" },
    { css: '[data-turn-role="Model"] .model-error', ui: "any", seen: "2026" },
  ]),
  pageAlert: spec(
    "page alert",
    "any other live alert outside dialogs (rate limit and permission texts, 2026-08)",
    [{ css: ':not(mat-dialog-container *)[role="alert"]', ui: "2026-08", seen: "2026-08" }],
  ),
  tokenCount: spec("token count", "the prompt's token count, which settles after a long prompt", [
    { css: "ms-token-count span.v3-token-count-value", ui: "2026-08", seen: "2026-08" },
    { css: "span.v3-token-count-value", ui: "2026-08", seen: "2026-08" },
    { css: "ms-token-count .token-count-container", ui: "any", seen: "2025-05" },
  ]),
  collapsedGroup: spec(
    "collapsed settings group",
    "the expander of a run settings group (Tools, Advanced settings) that is collapsed: its controls are absent until it opens",
    [
      {
        css: 'ms-run-settings button[aria-label^="Expand or collapse"][aria-expanded="false"]',
        ui: "any",
        seen: "2026-08",
      },
      {
        css: "ms-run-settings mat-expansion-panel:not(.mat-expanded) mat-expansion-panel-header",
        ui: "any",
        seen: "2025-05",
      },
    ],
  ),
  mediaButton: spec(
    "media button",
    "the prompt box's button that opens the insert-media menu (images, audio, files)",
    [
      {
        css: 'ms-add-media-button button[data-test="selectMediaMenu"]',
        ui: "2026-08",
        seen: "2026-08",
      },
      {
        css: 'ms-prompt-box button[aria-label="Insert images, videos, audio, or files"]',
        ui: "2026",
        seen: "2026-02",
      },
      { css: 'button[data-test-id="add-media-button"]', ui: "2025", seen: "2025-09" },
      { css: 'button[aria-label^="Insert assets"]', ui: "2025", seen: "2025-09" },
    ],
  ),
  uploadInput: spec(
    "upload file input",
    "the hidden file input of the open media menu (present only while the menu is open)",
    [
      { css: "input[data-test-upload-file-input]", ui: "2026-08", seen: "2026-08" },
      { css: '.cdk-overlay-pane [role="menu"] input[type="file"]', ui: "any", seen: "simulator" },
    ],
  ),
  uploadMenuItem: spec(
    "upload menu item",
    'the media menu\'s items, told apart by their text ("Upload a file" opens the file chooser)',
    [
      { css: '.cdk-overlay-pane [role="menu"] [role="menuitem"]', ui: "any", seen: "2026-08" },
      { css: ".cdk-overlay-pane .mat-mdc-menu-item", ui: "any", seen: "2025-09" },
    ],
  ),
  mediaRemove: spec(
    "media preview remove button",
    'the "Remove media" button of each file\'s preview in the prompt box: one per file the page took',
    [{ css: 'button[aria-label="Remove media"]', ui: "any", seen: "2026-08" }],
  ),
  aspectRatio: spec("aspect ratio select", "the image models' aspect ratio drop-down", [
    { css: 'mat-select[aria-label="Aspect ratio"]', ui: "any", seen: "simulator" },
    { css: '[role="combobox"][aria-label="Aspect ratio"]', ui: "any", seen: "simulator" },
  ]),
  aspectRatioOption: spec("aspect ratio option", "the options of the open aspect ratio list", [
    { css: '[role="listbox"] [role="option"]', ui: "any", seen: "simulator" },
  ]),
  signInForm: spec("Google sign-in form", "the account identifier field of the sign-in page", [
    { css: "input#identifierId", ui: "any", seen: "2026-07" },
  ]),
} satisfies Record<string, SelectorSpec>;

export type SelectorName = keyof typeof SELECTORS;

/**
 * What can sit over the page and swallow clicks (facts §9 "First-run overlays", "Temporary chat",
 * "Dialog element"), for the overlay step before every click. A host matches the overlay itself;
 * it is dismissed by the first of its own buttons that `DISMISS_BUTTONS` or `DISMISS_TEXTS`
 * names, and a menu or list by Escape. Never by a primary button: a first-run dialog's first
 * button is "Try …", which starts something instead of closing.
 */
export interface OverlayHost {
  name: string;
  css: string;
  kind: "dialog" | "menu" | "bar";
  seen: string;
}

export const OVERLAY_HOSTS: OverlayHost[] = [
  { name: "welcome dialog", css: "ms-g1-welcome-dialog", kind: "dialog", seen: "2026-08" },
  { name: "terms notice", css: "ms-tos-disclaimer", kind: "bar", seen: "2026-08" },
  { name: "dialog", css: "mat-dialog-container", kind: "dialog", seen: "2026-08" },
  { name: "dialog", css: "mat-mdc-dialog-container", kind: "dialog", seen: "2025-08" },
  { name: "dialog", css: '[role="dialog"]', kind: "dialog", seen: "2026-08" },
  { name: "menu", css: '.cdk-overlay-pane [role="menu"]', kind: "menu", seen: "2026-08" },
  { name: "list", css: '.cdk-overlay-pane [role="listbox"]', kind: "menu", seen: "2026-08" },
  { name: "guided tour", css: "ms-guided-tour", kind: "dialog", seen: "2026-08" },
  { name: "cookie bar", css: ".glue-cookie-notification-bar", kind: "bar", seen: "2026-06" },
];

/** Buttons that close an overlay, by what they are labelled (aria-label or data hook). */
export const DISMISS_BUTTONS: string[] = [
  'button[aria-label="Close dialog"]',
  'button[aria-label="Close guided tour"]',
  "button[data-test-close-button]",
  'button[aria-label="Close"]',
  'button[aria-label="Dismiss"]',
  'button[aria-label="Close panel"]',
];

/**
 * Button texts that close an overlay without doing anything else (peers' overlay loops press
 * the same: Skip, Got it, Dismiss, Close). "Reject all" is the cookie bar's.
 */
export const DISMISS_TEXTS: string[] = [
  "close",
  "dismiss",
  "got it",
  "skip",
  "skip tour",
  "no thanks",
  "not now",
  "maybe later",
  "reject all",
  "cancel",
];

/**
 * The terms of service a new account is shown once (facts §1.1, 2026-06): a checkbox whose label
 * contains this, then Accept. Only the required consent is ticked, never the optional ones.
 */
export const CONSENT_LABEL = "terms of service";
export const CONSENT_ACCEPT_TEXTS: string[] = ["accept", "i agree", "agree"];

/** Dismiss buttons found anywhere, for overlays whose host element is unknown (tour, cookie bar). */
export const STRAY_DISMISS_BUTTONS: string[] = ['button[aria-label="Close guided tour"]'];
