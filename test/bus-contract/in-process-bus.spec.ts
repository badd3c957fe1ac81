import { InProcessBus } from "../../services/shared/messaging/in-process-bus";
import { describeBusContract } from "./bus-contract.suite";

describeBusContract(
  "in-process bus",
  async () => new InProcessBus({ partitions: 4, retryDelayMs: 10 }),
  5_000,
);
