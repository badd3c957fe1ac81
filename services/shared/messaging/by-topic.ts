/** Records (or outbox rows) grouped by their topic, each group in the order given. */
export function byTopic<T extends { topic: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.topic);
    if (group) group.push(item);
    else groups.set(item.topic, [item]);
  }
  return groups;
}
