import type { ServiceBroker } from "moleculer";
import { DATABASE_OWNERS } from "../config/config";

/** moleculer-repl hands an action its parsed arguments by name, plus `options` (typed as string[] upstream). */
type ReplArgs = Record<string, unknown> & { options: Record<string, unknown> };

interface ReplCommand {
  command: string;
  description: string;
  allowUnknownOptions?: boolean;
  options?: Array<{ option: string; description: string }>;
  action(broker: ServiceBroker, args: ReplArgs): Promise<void>;
}

/**
 * Project commands for `npm run repl`, next to Moleculer's own (`call`, `services`, `nodes`...):
 *   order p1:2:499.5 p2:1:10    place an order (productId:quantity:price ...)
 *   saga <orderId>              a saga with its transition history
 *   dlt [--limit 20] [--topic t] [--state open|resolved|all]
 *                               dead-lettered records of every service
 *   replay <service> <id>       send a dead letter back to its topic
 *   replay-topic <service> <topic>
 *                               send a topic's open dead letters back (not replayed ones)
 *   resolve <service> <id> [--note text]
 *                               close a dead letter: it is not replayed any more
 */
export const replCommands: ReplCommand[] = [
  {
    // moleculer-repl hands custom commands only their first operand, so the lines come from
    // the raw command text.
    command: "order",
    description:
      "Place an order: order productId:quantity:price ... (e.g. order p1:2:499.5 p2:1:10)",
    allowUnknownOptions: true,
    async action(broker, args) {
      const lines = String(args.rawCommand ?? "")
        .trim()
        .split(/\s+/)
        .slice(1);
      if (lines.length === 0) {
        console.error("Usage: order productId:quantity:price [productId:quantity:price ...]");
        return;
      }
      const items = lines.map((line) => {
        const [productId = "", quantity = "", price = ""] = line.split(":");
        return { productId, quantity: Number(quantity), price: Number(price) };
      });
      await show(() => broker.call("order.create", { items }));
    },
  },
  {
    command: "saga <orderId>",
    description: "Show an order's saga and its transition history",
    async action(broker, args) {
      await show(async () => {
        const saga = await broker.call<
          { transitions: Array<Record<string, unknown>> } & Record<string, unknown>,
          object
        >("saga.get", {
          orderId: args.orderId,
        });
        const { transitions, ...summary } = saga;
        console.log(summary);
        console.table(transitions);
      });
    },
  },
  {
    command: "dlt",
    description: "List dead-lettered records of every service (newest first)",
    options: [
      { option: "-l, --limit <n>", description: "rows per service (default 20)" },
      { option: "-t, --topic <topic>", description: "only those of this source topic" },
      { option: "-s, --state <state>", description: "open (default), resolved or all" },
    ],
    async action(broker, args) {
      const { limit = 20, topic, state } = args.options;
      for (const owner of DATABASE_OWNERS) {
        await show(async () => {
          const rows = await broker.call<Array<Record<string, unknown>>, object>(
            `${owner}.deadLetters`,
            { limit: Number(limit), topic, state },
          );
          console.log(`${owner}: ${rows.length} dead letter(s)`);
          if (rows.length > 0)
            console.table(rows.map(({ value: _value, headers: _headers, ...row }) => row));
        });
      }
    },
  },
  {
    command: "replay <service> <id>",
    description: "Send a dead letter back to its source topic (after fixing the cause)",
    async action(broker, args) {
      await show(() =>
        broker.call(`${String(args.service)}.replayDeadLetter`, { id: Number(args.id) }),
      );
    },
  },
  {
    command: "replay-topic <service> <topic>",
    description: "Send every open dead letter of a source topic back to it (not replayed ones)",
    async action(broker, args) {
      await show(() =>
        broker.call(`${String(args.service)}.replayDeadLetters`, { topic: String(args.topic) }),
      );
    },
  },
  {
    command: "resolve <service> <id>",
    description: "Close a dead letter (handled by hand, or not worth replaying)",
    options: [{ option: "-n, --note <text>", description: "why (at most 500 characters)" }],
    async action(broker, args) {
      const { note } = args.options;
      await show(() =>
        broker.call(`${String(args.service)}.resolveDeadLetter`, { id: Number(args.id), note }),
      );
    },
  },
];

async function show(work: () => Promise<unknown>): Promise<void> {
  try {
    const result = await work();
    if (result !== undefined) console.log(result);
  } catch (error) {
    const failure = error as { message?: string; data?: unknown };
    console.error(`Error: ${failure.message ?? String(error)}`, failure.data ?? "");
  }
}
