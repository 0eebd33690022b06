import type { Host } from "./host-registry.js";
import type { HostView } from "./views.js";

/** A connected host as the console lists it: what it said in hello and status, nothing secret. */
export function hostView(host: Host, signIn: boolean): HostView {
  const hello = host.info.hello;
  return {
    id: host.id,
    state: host.state,
    lanes: host.lanes,
    busy: host.inflight.size,
    models: host.models.map((m) => m.id),
    profileId: hello.profileId ?? null,
    egressCountry: hello.egressCountry ?? null,
    version: hello.version,
    detail: host.info.detail ? host.info.detail : null,
    connectedAt: host.info.connectedAt,
    signIn,
  };
}
