import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";

/**
 * An HTTP proxy on loopback that demands Basic credentials and records what went through it:
 * plain requests (absolute-form URLs) and CONNECT tunnels. It stands for the user's real
 * proxy, so a test can see that the browser's traffic really takes it, credentials included.
 */
export class TestProxy {
  readonly seen: Array<{ method: string; target: string; auth: string | null }> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly user: string,
    readonly password: string,
  ) {}

  static async start(user = "proxyuser", password = "s3cret:pass"): Promise<TestProxy> {
    const server = createServer();
    const proxy = new TestProxy(server, user, password);
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const authorised = (req: IncomingMessage) => {
      const auth = req.headers["proxy-authorization"] ?? null;
      proxy.seen.push({
        method: req.method ?? "",
        target: req.url ?? "",
        auth: typeof auth === "string" ? auth : null,
      });
      return auth === expected;
    };
    server.on("connection", (s) => {
      proxy.sockets.add(s);
      s.on("close", () => proxy.sockets.delete(s));
    });
    server.on("request", (req, res) => {
      if (!authorised(req)) {
        res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
        return;
      }
      const target = new URL(req.url ?? "");
      const headers = { ...req.headers };
      delete headers["proxy-authorization"];
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    server.on("connect", (req, socket, head) => {
      if (!authorised(req)) {
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
        );
        return;
      }
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host!, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  get url(): string {
    return `http://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
