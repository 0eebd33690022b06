import type { HelloFrame, HostModel, HostState, StatusFrame } from "@aistudio-edge/shared";

/*
 * The hosts connected to this pool, keyed by their socket: a host's identity is the socket it
 * said hello on, fixed at that first hello. Its id is a name for logs and for replacing a stale
 * link, never a key that another socket could take over. Identity and last status live in the
 * socket's attachment, so the registry can be rebuilt after the Durable Object hibernates
 * (sockets survive hibernation; memory does not). Jobs in flight are not persisted: while any
 * job runs, its client's request keeps the object awake.
 */

/** What survives hibernation, stored with `serializeAttachment`. */
export interface HostAttachment {
  connectedAt: number;
  hello?: Omit<HelloFrame, "v" | "type">;
  state?: HostState;
  lanes?: number;
  freeLanes?: number;
  detail?: string;
  /** Model → epoch ms until which the pool does not send it to this host (the pool owns these). */
  cooldowns?: Record<string, number>;
}

export class Host {
  /** Wire ids of the jobs the pool gave this host and has not seen end. */
  readonly inflight = new Set<string>();
  lastDispatchAt = 0;

  constructor(
    readonly ws: WebSocket,
    public info: HostAttachment & { hello: NonNullable<HostAttachment["hello"]> },
  ) {}

  get id(): string {
    return this.info.hello.hostId;
  }
  get instanceId(): string {
    return this.info.hello.instanceId;
  }
  get state(): HostState {
    return this.info.state ?? "ready";
  }
  get lanes(): number {
    return this.info.lanes ?? this.info.hello.lanes;
  }
  get models(): HostModel[] {
    return this.info.hello.models;
  }
  /**
   * Lanes the pool may still assign. Two views bound it: the jobs the pool gave the host, and the
   * lanes the host last said were busy (a lane whose job ended may still be saving a snapshot or
   * being rebuilt). The larger count of busy lanes wins; a status that is older than a dispatch
   * cannot free a lane, because the dispatch is in `inflight` until the job ends.
   */
  get free(): number {
    const hostBusy =
      this.info.freeLanes === undefined ? 0 : Math.max(0, this.lanes - this.info.freeLanes);
    return Math.max(0, this.lanes - Math.max(this.inflight.size, hostBusy));
  }
  get accepting(): boolean {
    return this.state === "ready" || this.state === "degraded";
  }

  serves(model: string): boolean {
    return this.models.some((m) => m.id === model);
  }

  coolingUntil(model: string, now: number): number {
    const until = this.info.cooldowns?.[model] ?? 0;
    return until > now ? until : 0;
  }

  /** Applies a status frame; returns whether anything an operator would care about changed. */
  applyStatus(status: StatusFrame): boolean {
    const before = this.info;
    this.info = {
      ...this.info,
      state: status.state,
      lanes: status.lanes,
      freeLanes: status.freeLanes,
      // A status without a detail clears the last one: a host that is ready again has no error.
      detail: status.detail,
      hello: status.models ? { ...this.info.hello, models: status.models } : this.info.hello,
    };
    this.persist();
    return (
      before.state !== this.info.state ||
      before.lanes !== this.info.lanes ||
      before.detail !== this.info.detail
    );
  }

  coolDown(model: string, until: number): void {
    this.info = { ...this.info, cooldowns: { ...this.info.cooldowns, [model]: until } };
    this.persist();
  }

  persist(): void {
    this.ws.serializeAttachment(this.info);
  }
}

export class HostRegistry {
  private readonly hosts = new Map<WebSocket, Host>();

  /** Re-reads a socket after the object woke up; sockets that never said hello stay unregistered. */
  restore(ws: WebSocket): void {
    const info = ws.deserializeAttachment() as HostAttachment | null;
    if (info?.hello) this.hosts.set(ws, new Host(ws, { ...info, hello: info.hello }));
  }

  add(host: Host): void {
    this.hosts.set(host.ws, host);
  }

  bySocket(ws: WebSocket): Host | undefined {
    return this.hosts.get(ws);
  }

  /** Hosts on other sockets that go by this id (a reconnect, or a second process). */
  namedOnOtherSockets(id: string, ws: WebSocket): Host[] {
    return this.all().filter((h) => h.id === id && h.ws !== ws);
  }

  remove(host: Host): void {
    if (this.hosts.get(host.ws) === host) this.hosts.delete(host.ws);
  }

  all(): Host[] {
    return [...this.hosts.values()];
  }

  /** Whether any host could take the model now or once a lane frees (accepting, not cooling down). */
  canServe(model: string, now: number): boolean {
    return this.all().some(
      (h) => h.accepting && h.serves(model) && h.coolingUntil(model, now) === 0,
    );
  }

  /**
   * The host to run a job on: accepting, serving the model, not cooling down on it, with a free
   * lane; hosts the job already failed on come last; then the least loaded (busy share of its
   * lanes), then the one that waited longest since its last job.
   */
  pick(model: string, avoid: ReadonlySet<Host>, now: number): Host | undefined {
    return pickHost(this.all(), model, avoid, now);
  }
}

/** The ranking behind `HostRegistry.pick`, separate so it can be tested without sockets. */
export function pickHost(
  hosts: readonly Host[],
  model: string,
  avoid: ReadonlySet<Host>,
  now: number,
): Host | undefined {
  const rank = (h: Host) => [
    avoid.has(h) ? 1 : 0,
    (h.lanes - h.free) / Math.max(1, h.lanes),
    h.lastDispatchAt,
  ];
  let best: Host | undefined;
  let bestRank: number[] = [];
  for (const host of hosts) {
    if (
      !host.accepting ||
      host.free === 0 ||
      !host.serves(model) ||
      host.coolingUntil(model, now) > 0
    )
      continue;
    const r = rank(host);
    if (best === undefined || lexicallyLess(r, bestRank)) {
      best = host;
      bestRank = r;
    }
  }
  return best;
}

function lexicallyLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return false;
}
