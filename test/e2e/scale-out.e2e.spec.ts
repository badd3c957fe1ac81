import { AssignerProtocol, Kafka, logLevel } from "kafkajs";
import { eventually } from "../support/eventually";
import { Cluster, KAFKA_BROKERS } from "./support/cluster";
import { expectSettled } from "../support/settled";
import { placeOrders } from "./support/orders";

const cluster = new Cluster("scale");
const admin = new Kafka({
  clientId: "e2e-scale-observer",
  brokers: KAFKA_BROKERS.split(","),
  logLevel: logLevel.NOTHING,
}).admin();

/** The consumer groups that have two members here: one per payment node, one per saga node. */
const GROUPS = ["payment-service", "saga-service"] as const;

type Assignment = Map<string, Array<{ topic: string; partition: number }>>;

beforeAll(async () => {
  await cluster.start();
  await cluster.startNode("payment", 2);
  await cluster.startNode("saga", 2);
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await cluster.stop();
});

/** Each member's partitions, once the group is stable with two members that both own some. */
function stableAssignment(group: string): Promise<Assignment> {
  return eventually(
    async () => {
      const { groups } = await admin.describeGroups([cluster.topic(group)]);
      const description = groups[0]!;
      expect({ group, state: description.state }).toEqual({ group, state: "Stable" });
      expect(description.members).toHaveLength(2);
      const assignment: Assignment = new Map();
      for (const member of description.members) {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        const owned = Object.entries(decoded?.assignment ?? {}).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        );
        expect(owned.length).toBeGreaterThan(0);
        assignment.set(member.memberId, owned);
      }
      return assignment;
    },
    60_000,
    250,
  );
}

/** Committed offsets of a group, keyed "topic/partition" (0 when nothing was committed yet). */
async function committedOffsets(group: string, assignment: Assignment) {
  const topics = [...new Set([...assignment.values()].flat().map((owned) => owned.topic))];
  const offsets = new Map<string, number>();
  for (const { topic, partitions } of await admin.fetchOffsets({
    groupId: cluster.topic(group),
    topics,
  })) {
    for (const { partition, offset } of partitions)
      offsets.set(`${topic}/${partition}`, Math.max(0, Number(offset)));
  }
  return offsets;
}

describe("two payment nodes and two saga nodes", () => {
  it("every order final as its amount says, exactly one payment each, and both nodes of each service consumed", async () => {
    const before = new Map<string, { assignment: Assignment; offsets: Map<string, number> }>();
    for (const group of GROUPS) {
      const assignment = await stableAssignment(group);
      before.set(group, { assignment, offsets: await committedOffsets(group, assignment) });
    }

    const orders = await placeOrders(cluster, 60);
    await expectSettled(cluster, orders);

    // No rebalance during the run, so each partition was consumed by the member that owns it: a
    // member whose partitions' committed offsets moved has handled records itself.
    for (const group of GROUPS) {
      const { assignment, offsets } = before.get(group)!;
      expect(await stableAssignment(group)).toEqual(assignment);
      const after = await committedOffsets(group, assignment);
      const perMember: number[] = [];
      for (const [member, owned] of assignment) {
        const consumed = owned.reduce(
          (sum, { topic, partition }) =>
            sum + after.get(`${topic}/${partition}`)! - offsets.get(`${topic}/${partition}`)!,
          0,
        );
        perMember.push(consumed);
        expect({ group, member, consumed: consumed > 0 }).toEqual({
          group,
          member,
          consumed: true,
        });
      }
      console.log(`${group}: the two members consumed ${perMember.join(" and ")} records`);
    }
  });
});
