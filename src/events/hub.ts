// Server-Sent Events hub. Publishing never waits on a client: a client whose socket buffer is full
// is dropped (it reconnects and reloads the state), so a slow or dead client cannot block the runner.
import type { Response } from "express";

export type EventType = "job" | "drive" | "host";

interface Client {
  res: Response;
  id: number;
}

/** Bytes a client may have pending in its socket before it is treated as stuck and dropped. */
const MAX_PENDING_BYTES = 1 << 20;

export class EventHub {
  private clients = new Set<Client>();
  private nextId = 1;
  private heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    this.heartbeat = setInterval(() => this.broadcast(": heartbeat\n\n"), heartbeatMs);
    this.heartbeat.unref();
  }

  attach(res: Response): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 3000\n\n");
    const client = { res, id: this.nextId++ };
    this.clients.add(client);
    res.on("close", () => this.clients.delete(client));
  }

  publish(type: EventType, data: unknown): void {
    this.broadcast(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(frame: string): void {
    for (const c of this.clients) {
      if (c.res.writableLength > MAX_PENDING_BYTES) {
        this.clients.delete(c);
        c.res.destroy();
        continue;
      }
      c.res.write(frame);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
