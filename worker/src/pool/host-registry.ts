import type { HelloFrame, HostModel, HostState, StatusFrame } from "@aistudio-edge/shared";

/*
 * The hosts connected to this pool. Each host's identity and last status live in its
 * WebSocket's attachment, so the registry can be rebuilt after the Durable Object hibernates
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
  cooldowns?: Record<string, number>;
}

export class Host {
  readonly inflight = new Set<string>();
  lastDispatchAt = 0;

  constructor(
    readonly ws: WebSocket,
    public info: HostAttachment & { hello: NonNullable<HostAttachment["hello"]> },
  ) {}

  get id(): string {
    return this.info.hello.hostId;
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
  /** Lanes the pool may still assign: healthy lanes less the jobs it already gave this host. */
  get free(): number {
    return Math.max(0, this.lanes - this.inflight.size);
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

  applyStatus(status: StatusFrame): void {
    const cooldowns: Record<string, number> = {};
    for (const c of status.cooldowns ?? []) cooldowns[c.model] = c.until;
    this.info = {
      ...this.info,
      state: status.state,
      lanes: status.lanes,
      freeLanes: status.freeLanes,
      ...(status.detail !== undefined ? { detail: status.detail } : {}),
      cooldowns,
      hello: status.models ? { ...this.info.hello, models: status.models } : this.info.hello,
    };
    this.persist();
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
  private readonly hosts = new Map<string, Host>();

  /** Re-reads a socket after the object woke up; sockets that never said hello stay unregistered. */
  restore(ws: WebSocket): void {
    const info = ws.deserializeAttachment() as HostAttachment | null;
    if (info?.hello) this.hosts.set(info.hello.hostId, new Host(ws, { ...info, hello: info.hello }));
  }

  add(host: Host): Host | undefined {
    const previous = this.hosts.get(host.id);
    this.hosts.set(host.id, host);
    return previous;
  }

  bySocket(ws: WebSocket): Host | undefined {
    for (const host of this.hosts.values()) if (host.ws === ws) return host;
    return undefined;
  }

  get(id: string): Host | undefined {
    return this.hosts.get(id);
  }

  remove(host: Host): void {
    if (this.hosts.get(host.id) === host) this.hosts.delete(host.id);
  }

  all(): Host[] {
    return [...this.hosts.values()];
  }

  /** Whether any host could take the model now or once a lane frees (accepting, not cooling down). */
  canServe(model: string, now: number): boolean {
    for (const host of this.hosts.values()) {
      if (host.accepting && host.serves(model) && host.coolingUntil(model, now) === 0) return true;
    }
    return false;
  }

  /**
   * The host to run a job on: accepting, serving the model, not cooling down on it, with a free
   * lane; hosts the job already failed on come last; then the least loaded (free share of its
   * lanes), then the one that waited longest since its last job.
   */
  pick(model: string, avoid: ReadonlySet<string>, now: number): Host | undefined {
    let best: Host | undefined;
    const rank = (h: Host) => [avoid.has(h.id) ? 1 : 0, h.inflight.size / Math.max(1, h.lanes), h.lastDispatchAt];
    for (const host of this.hosts.values()) {
      if (!host.accepting || host.free === 0 || !host.serves(model) || host.coolingUntil(model, now) > 0) continue;
      if (best === undefined) {
        best = host;
        continue;
      }
      const [a, b] = [rank(host), rank(best)];
      for (let i = 0; i < a.length; i++) {
        if (a[i]! < b[i]!) {
          best = host;
          break;
        }
        if (a[i]! > b[i]!) break;
      }
    }
    return best;
  }
}
