import net from "node:net";
import { Transform } from "node:stream";

/**
 * A TCP proxy in front of PostgreSQL (loopback only), so a test can cut a service's database
 * connections and restore them, the way a network partition or a failover does, while the
 * server itself stays up for everyone else.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  /** Bytes that mark the request whose answer is to be lost (see `loseAnswerTo`). */
  private answerToLose: string | undefined;
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = "127.0.0.1",
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  cutConnections(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut = false;
  }

  /**
   * The next request containing `marker` (a prepared statement's name is in every Bind) reaches
   * the server, which runs it to the end and answers; the answer is dropped and the connection
   * cut, as when a network fails at that moment. The client sees an error for a statement that
   * did commit.
   */
  loseAnswerTo(marker: string): void {
    this.answerToLose = marker;
  }

  async stop(): Promise<void> {
    this.cutConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** `url` with its host and port replaced by this proxy's. */
  in(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(this.port);
    return proxied.toString();
  }

  private accept(client: net.Socket): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    let losing = false;
    let requestTail = Buffer.alloc(0); // a marker may straddle two chunks
    const requests = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        const marker = this.answerToLose;
        if (marker !== undefined) {
          const seen = Buffer.concat([requestTail, chunk]);
          if (seen.includes(marker)) {
            this.answerToLose = undefined;
            losing = true;
          }
          requestTail = seen.subarray(Math.max(0, seen.length - marker.length + 1));
        }
        done(null, chunk);
      },
    });
    // Read by the protocol's framing (a type byte, then a length that counts itself): the
    // answer ends with ReadyForQuery, sent once the statement has committed.
    let answer = Buffer.alloc(0);
    const answers = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (!losing) return done(null, chunk);
        answer = Buffer.concat([answer, chunk]);
        while (answer.length >= 5) {
          const length = 1 + answer.readInt32BE(1);
          if (answer.length < length) break;
          if (answer[0] === READY_FOR_QUERY) {
            client.destroy();
            upstream.destroy();
            break;
          }
          answer = answer.subarray(length);
        }
        done();
      },
    });
    client.pipe(requests).pipe(upstream).pipe(answers).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }
}

/** PostgreSQL's ReadyForQuery message type: the server is done with what it was sent. */
const READY_FOR_QUERY = "Z".charCodeAt(0);
