import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { CLOSE_CODES, encodeFrame, parseHostFrame } from "@aistudio-edge/shared";
import { createLogger } from "../../src/log.js";
import { PoolLink } from "../../src/pool-link.js";
import { until } from "../../../shared/test-support/until.js";

/*
 * The link's answer to a pool that closes it for good: no redial. Two hosts that share an id
 * would otherwise replace each other forever (51 flaps in 20 s were seen), and a host of another
 * protocol version would hammer the pool.
 */

const servers: WebSocketServer[] = [];
const links: PoolLink[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  for (const server of servers.splice(0))
    await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function poolThatCloses(
  code: number,
  reason: string,
): Promise<{ url: string; connections: () => number }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(server);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  let connections = 0;
  server.on("connection", (socket) => {
    connections += 1;
    socket.on("message", (data) => {
      const parsed = parseHostFrame(String(data));
      if (parsed.ok && parsed.frame.type === "hello") {
        socket.send(encodeFrame({ type: "welcome", poolId: "p", heartbeatMs: 60_000 }));
        socket.close(code, reason);
      }
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `ws://127.0.0.1:${port}/hosts/connect`, connections: () => connections };
}

function dial(url: string, onRefused: (why: string) => void): PoolLink {
  const link = new PoolLink({
    url,
    token: "t",
    log: createLogger("error"),
    hello: () => ({
      type: "hello",
      hostId: "h",
      instanceId: "i",
      version: "test",
      lanes: 1,
      models: [],
    }),
    onFrame: () => undefined,
    onDown: () => undefined,
    onRefused,
  });
  links.push(link);
  link.start();
  return link;
}

describe("the pool link", () => {
  it.each([
    [CLOSE_CODES.replaced, "another host process connected with this HOST_ID", "HOST_ID"],
    [CLOSE_CODES.version, "protocol v3 is not supported; this pool speaks v2", "protocol version"],
  ])("does not redial after close %i", async (code, reason, named) => {
    const pool = await poolThatCloses(code, reason);
    const refusals: string[] = [];
    dial(pool.url, (why) => refusals.push(why));
    await until(() => refusals.length > 0, "the refusal");
    expect(refusals[0]).toContain(named);
    // The first redial would come within a second (backoff starts at 0.5 s); give it three.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(pool.connections()).toBe(1);
  });

  it("redials after an ordinary close", async () => {
    const pool = await poolThatCloses(4000, "replaced by a new connection");
    const refusals: string[] = [];
    dial(pool.url, (why) => refusals.push(why));
    await until(() => pool.connections() >= 2, "a redial");
    expect(refusals).toEqual([]);
  });
});
