import type { Middleware, ServiceBroker } from "moleculer";

const RETRY_MS = 2_000;

interface PublishedPacket {
  type: string;
  target: string | null;
}

interface Discoverer {
  sendLocalNodeInfo(nodeID?: string | null): Promise<void>;
}

/**
 * A node announces its services in an INFO packet, once, when they change (e.g. at the end of
 * its start). If the transporter cannot publish it then (Kafka restarting), Moleculer logs the
 * error and never sends it again: the other nodes keep the node's previous announcement and
 * answer "service not available" for good. Seen: a saga node restarted, Kafka went down a
 * second after its services were registered, and the gateway never saw them again. This sends
 * the node's current INFO again, every RETRY_MS, until one gets through.
 */
export function createAnnounceAgainMiddleware(): Middleware {
  let broker: ServiceBroker | undefined;
  const pending = new Map<string, NodeJS.Timeout>();

  const announceLater = (target: string | null) => {
    const key = target ?? "*";
    if (pending.has(key) || !broker) return;
    const discoverer = (broker.registry as unknown as { discoverer: Discoverer }).discoverer;
    const timer = setTimeout(() => {
      pending.delete(key);
      // A failure here comes back through transitPublish and schedules the next attempt.
      void discoverer.sendLocalNodeInfo(target ?? undefined).catch(() => undefined);
    }, RETRY_MS);
    timer.unref();
    pending.set(key, timer);
  };

  return {
    name: "AnnounceAgain",
    created(created: ServiceBroker) {
      broker = created;
    },
    transitPublish(next: (packet: PublishedPacket) => Promise<void>) {
      return (packet: PublishedPacket) =>
        next(packet).catch((error: unknown) => {
          if (packet.type === "INFO") announceLater(packet.target);
          throw error;
        });
    },
    async stopped() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
    // Moleculer's typings declare transitPublish as returning a Promise; at run time, as for
    // every hook that wraps a method, it returns the wrapped function.
  } as unknown as Middleware;
}
