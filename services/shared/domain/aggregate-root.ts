/**
 * What every aggregate that announces its changes shares: the domain events recorded by its
 * methods, handed once to the unit of work that writes them to the outbox with the state.
 */
export abstract class AggregateRoot<Event> {
  private pending: Event[] = [];

  protected record(event: Event): void {
    this.pending.push(event);
  }

  /** The events recorded since the last call; each is handed over once. */
  pullEvents(): Event[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
