import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pattern } from "../../shared/test-support/file-pattern.js";

/*
 * A file server on loopback for the Worker's attachment tests (the Worker inside workerd fetches
 * from it like any http URL). Its bytes are `pattern`, so a test can rebuild what it sent.
 *
 *   /bytes/<name>?size=N&type=T   N pattern bytes as T ("none": no Content-Type)
 *   /endless?type=T              pattern bytes until the client stops reading
 *   /redirect?n=K                K redirects, then 100 bytes of image/png
 *   /hang                        headers never come
 */

export interface AttachmentServer {
  url: string;
  close(): Promise<void>;
}

export async function startAttachmentServer(): Promise<AttachmentServer> {
  const hanging = new Set<import("node:http").ServerResponse>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const type = url.searchParams.get("type") ?? "image/png";
    const typed = type === "none" ? {} : { "content-type": type };
    if (url.pathname.startsWith("/bytes")) {
      const size = Number(url.searchParams.get("size") ?? "100");
      res.writeHead(200, { ...typed, "content-length": String(size) });
      res.end(pattern(size));
    } else if (url.pathname === "/endless") {
      res.writeHead(200, typed);
      let sent = 0;
      const more = () => {
        while (!res.destroyed) {
          const ok = res.write(pattern(64 * 1024, sent));
          sent += 64 * 1024;
          if (!ok) return void res.once("drain", more);
        }
      };
      more();
    } else if (url.pathname === "/redirect") {
      const n = Number(url.searchParams.get("n") ?? "0");
      res.writeHead(302, {
        location: n > 0 ? `/redirect?n=${n - 1}` : "/bytes/final.png?size=100&type=image/png",
      });
      res.end();
    } else if (url.pathname === "/hang") {
      hanging.add(res);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no such file");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that nothing listens on (taken from the OS, then let go). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
