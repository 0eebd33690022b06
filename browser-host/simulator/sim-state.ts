import type { RequestSpec } from "../src/wire/generate-content-request.js";
import type { AnswerPlan } from "./answers.js";
import { DriveStore } from "./drive-store.js";
import { ScenarioQueue, type ScenarioName } from "./scenarios.js";
import type { SimOptions } from "./sim-options.js";

export type { SimOptions } from "./sim-options.js";

/** One GenerateContent call as the simulator saw it, for `GET /__sim/requests`. */
export interface RecordedRequest {
  at: string;
  scenario: ScenarioName;
  request: RequestSpec;
  answer: Pick<AnswerPlan, "text" | "thoughts" | "functionCalls" | "finishReason"> | null;
  /** The client closed the connection before the answer was complete (Stop, or a dropped page). */
  aborted?: boolean;
  /**
   * When things happened, in epoch milliseconds with sub-millisecond precision, for the
   * benchmark: the request's arrival, the first byte written, and each answer text piece.
   */
  timing: { arrived: number; firstByte: number | null; texts: Array<{ at: number; text: string }> };
}

/** A sign-in in progress (signin-flow.ts), by its `TL` token; gone once finished or expired. */
export interface SignInFlow {
  identifier: string;
  /** Where the finished sign-in goes: a path on this origin. */
  continue: string;
  /** The step the flow waits on: the password, or the phone's approval. */
  stage: "password" | "phone";
  /** Epoch ms; the flow expires 10 minutes later. */
  createdAt: number;
  /** Epoch ms the phone step's page was first shown (its automatic approval counts from then). */
  phoneShownAt: number | null;
  /** The phone step was approved (automatically or by the control API). */
  phoneApproved: boolean;
}

/** Epoch milliseconds with the precision of performance.now(), comparable across this process. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/** Everything the control API can change, in one place so `reset` is complete. */
export class SimState {
  readonly scenarios = new ScenarioQueue();
  requests: RecordedRequest[] = [];
  /** Set by `POST /__sim/session` or a sign-in redirect scenario; every page load then goes to sign-in. */
  signedOut = false;
  readonly sessions = new Set<string>();
  /** Sign-in flows in progress, by their `TL` token. */
  readonly signInFlows = new Map<string, SignInFlow>();
  /** Files the page uploaded to "Drive" (too big to go inline), by id. */
  readonly drive = new DriveStore();
  options: SimOptions;

  constructor(private readonly initial: SimOptions) {
    this.options = { ...initial, pace: { ...initial.pace }, egress: { ...initial.egress } };
  }

  reset(): void {
    this.scenarios.clear();
    this.requests = [];
    this.signedOut = false;
    this.sessions.clear();
    this.signInFlows.clear();
    this.drive.clear();
    this.options = {
      ...this.initial,
      pace: { ...this.initial.pace },
      egress: { ...this.initial.egress },
    };
  }
}
