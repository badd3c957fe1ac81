/**
 * What every aggregate shares: the messages its methods record (the events an order or a
 * payment announces, the commands a saga sends), handed once to the unit of work that writes
 * them to the outbox in the transaction that stores the aggregate.
 */
export abstract class AggregateRoot<Message> {
  private pending: Message[] = [];

  protected record(message: Message): void {
    this.pending.push(message);
  }

  /** The messages recorded since the last call; each is handed over once. */
  pullMessages(): Message[] {
    const messages = this.pending;
    this.pending = [];
    return messages;
  }
}
