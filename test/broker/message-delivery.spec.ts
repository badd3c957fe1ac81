import { InitiatePaymentContract, OrderCreatedContract, Topics } from "../../contracts";
import { randomUUID } from "node:crypto";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import {
  chargesFor,
  inboxHas,
  paymentsOf,
  sagaTransitionsFor,
  unsentOutbox,
} from "../support/oms-databases";
import {
  busOf,
  databasesOf,
  query,
  recordPublished,
  startTestSystem,
  type PublishedRecords,
  type TestSystem,
} from "../support/test-system";

const NAME = "delivery";
let system: TestSystem;
let published: PublishedRecords;

beforeAll(async () => {
  system = await startTestSystem(NAME, { fresh: true });
  published = await recordPublished(system, [
    Topics.orderCreated,
    Topics.paymentCompleted,
    Topics.paymentFailed,
  ]);
});
afterAll(() => system.stop());

const db = databasesOf(NAME);

async function placeAndFinish(price = 10): Promise<string> {
  const created = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p1", 1, price) });
  const orderId = created.body.orderId as string;
  await eventually(async () => {
    const saga = await http(system.baseUrl, "GET", `/orders/${orderId}/saga`);
    expect(saga.body.state).toMatch(/^ORDER_(CONFIRMED|CANCELLED)$/);
  });
  return orderId;
}

/** What the order service published for an order, as the bus carried it. */
function publishedEnvelope(orderId: string) {
  const [envelope] = published.of(Topics.orderCreated, orderId);
  if (!envelope) throw new Error(`no OrderCreated was published for ${orderId}`);
  return envelope;
}

describe("duplicate delivery", () => {
  it("the same OrderCreated record delivered again changes nothing: no new saga step, one charge", async () => {
    const orderId = await placeAndFinish();
    const envelope = publishedEnvelope(orderId);
    const transitionsBefore = await sagaTransitionsFor(db, orderId);

    await busOf(system).publish([
      { topic: Topics.orderCreated, key: orderId, value: JSON.stringify(envelope) },
    ]);

    expect(await sagaTransitionsFor(db, orderId)).toBe(transitionsBefore);
    await eventually(async () => expect(await unsentOutbox(db, "saga")).toBe(0));
    // A second InitiatePayment would have charged again, or failed on the amount: neither.
    expect(await chargesFor(db, orderId)).toBe(1);
  });

  it("a second InitiatePayment for the same order (a new message id) never charges twice", async () => {
    const orderId = await placeAndFinish();
    const duplicate = InitiatePaymentContract.envelope(
      { orderId, amount: { amountMinor: 1000, currency: "INR" } },
      { correlationId: orderId, causationId: randomUUID() },
    );
    await busOf(system).publish([
      { topic: Topics.paymentInitiate, key: orderId, value: JSON.stringify(duplicate) },
    ]);

    // Had it charged again, a second result would now be on its way: wait for the outbox to drain.
    await eventually(async () => expect(await unsentOutbox(db, "payment")).toBe(0));
    expect(await chargesFor(db, orderId)).toBe(1);
    const results = [Topics.paymentCompleted, Topics.paymentFailed].flatMap((topic) =>
      published.of(topic, orderId),
    );
    expect(results).toHaveLength(1);
    expect(await inboxHas(db, "payment", duplicate.messageId)).toBe(true);
  });

  it("a burst of the same InitiatePayment, all at once, still charges once", async () => {
    const orderId = randomUUID();
    const command = InitiatePaymentContract.envelope(
      { orderId, amount: { amountMinor: 500, currency: "INR" } },
      { correlationId: orderId, causationId: randomUUID() },
    );
    const copies = Array.from({ length: 5 }, () => ({
      topic: Topics.paymentInitiate,
      key: orderId,
      value: JSON.stringify(command),
    }));
    await busOf(system).publish(copies);
    await eventually(async () =>
      expect(await paymentsOf(db, [orderId])).toMatchObject([{ status: "COMPLETED" }]),
    );
    await eventually(async () => expect(await unsentOutbox(db, "payment")).toBe(0));
    expect(await chargesFor(db, orderId)).toBe(1);
  });
});

describe("messages that cannot be processed are dead-lettered, never retried forever", () => {
  const deadLetters = (owner: "saga" | "payment", topic: string) =>
    query(
      NAME,
      owner,
      "SELECT *, convert_from(value, 'UTF8') AS value FROM dead_letters WHERE source_topic = $1 ORDER BY id",
      [topic],
    );

  it("a record that is not JSON lands in the DLT and the next order still completes", async () => {
    await busOf(system).publish([
      { topic: Topics.orderCreated, key: "garbage", value: "this is {not json" },
    ]);
    const [letter] = await deadLetters("saga", Topics.orderCreated);
    expect(letter).toMatchObject({
      error_code: "MALFORMED_JSON",
      value: "this is {not json",
      consumer_group: "saga-service",
      attempts: 1,
    });

    const orderId = await placeAndFinish();
    const order = await http(system.baseUrl, "GET", `/orders/${orderId}`);
    expect(order.body.status).toBe("CONFIRMED");
  });

  it("an OrderCreated envelope written to payment.completed (a stale topic) is dead-lettered, nothing else moves", async () => {
    const orderId = await placeAndFinish();
    const stale = OrderCreatedContract.envelope(
      {
        orderId,
        items: [
          { productId: "p1", quantity: 1, unitPrice: { amountMinor: 1000, currency: "INR" } },
        ],
        total: { amountMinor: 1000, currency: "INR" },
        createdAt: new Date().toISOString(),
      },
      { correlationId: orderId, causationId: randomUUID() },
    );
    const sagaBefore = await http(system.baseUrl, "GET", `/orders/${orderId}/saga`);
    await busOf(system).publish([
      { topic: Topics.paymentCompleted, key: orderId, value: JSON.stringify(stale) },
    ]);

    const letters = await deadLetters("saga", Topics.paymentCompleted);
    expect(letters.at(-1)).toMatchObject({
      error_code: "UNEXPECTED_MESSAGE_TYPE",
      message_key: orderId,
    });
    expect(letters.at(-1)!.error_message).toMatch(
      /OrderCreated does not belong on payment\.completed/,
    );
    expect((await http(system.baseUrl, "GET", `/orders/${orderId}/saga`)).body).toEqual(
      sagaBefore.body,
    );
  });

  it("a payload that breaks its schema is dead-lettered with the field named", async () => {
    const orderId = randomUUID();
    const broken = InitiatePaymentContract.envelope(
      { orderId, amount: { amountMinor: 10.5, currency: "INR" } },
      { correlationId: orderId, causationId: "test" },
    );
    await busOf(system).publish([
      { topic: Topics.paymentInitiate, key: orderId, value: JSON.stringify(broken) },
    ]);
    const letter = (await deadLetters("payment", Topics.paymentInitiate)).at(-1)!;
    expect(letter).toMatchObject({ error_code: "SCHEMA_VIOLATION", message_key: orderId });
    expect(letter.error_message).toMatch(/amount\.amountMinor/);
    expect(await paymentsOf(db, [orderId])).toEqual([]);
  });

  it("a well-formed message the saga must refuse (no saga for that order) goes to the DLT at once", async () => {
    const orderId = randomUUID();
    const orphan = {
      ...OrderCreatedContract.envelope(
        {
          orderId,
          items: [{ productId: "p", quantity: 1, unitPrice: { amountMinor: 1, currency: "INR" } }],
          total: { amountMinor: 1, currency: "INR" },
          createdAt: new Date().toISOString(),
        },
        { correlationId: orderId, causationId: "test" },
      ),
      type: "PaymentFailed",
      payload: {
        orderId,
        paymentId: randomUUID(),
        amount: { amountMinor: 1, currency: "INR" },
        reason: "test",
        failedAt: new Date().toISOString(),
      },
    };
    await busOf(system).publish([
      { topic: Topics.paymentFailed, key: orderId, value: JSON.stringify(orphan) },
    ]);
    const letter = (await deadLetters("saga", Topics.paymentFailed)).at(-1)!;
    expect(letter).toMatchObject({ error_code: "SAGA_NOT_FOUND", attempts: 1 });
    // Rolled back: a replay after the cause is fixed must not be skipped as a duplicate.
    expect(await inboxHas(db, "saga", orphan.messageId)).toBe(false);
  });

  it("lists dead letters and replays one to its source topic", async () => {
    const rows = await system.broker.call<Array<{ id: number; errorCode: string }>, object>(
      "saga.deadLetters",
      { limit: 50 },
    );
    const malformed = rows.find((row) => row.errorCode === "MALFORMED_JSON")!;
    expect(malformed).toBeDefined();
    await system.broker.call("saga.replayDeadLetter", { id: malformed.id });
    // Replayed, it fails the same way: a second dead letter, and the first is marked replayed.
    const letters = await deadLetters("saga", Topics.orderCreated);
    expect(letters.filter((letter) => letter.error_code === "MALFORMED_JSON")).toHaveLength(2);
    expect(
      letters.find((letter) => Number(letter.id) === malformed.id)!.replayed_at,
    ).not.toBeNull();
  });
});
