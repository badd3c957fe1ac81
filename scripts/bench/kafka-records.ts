import { Kafka, logLevel } from "kafkajs";

/** Records written so far to the topics whose names start with each prefix (sum of end offsets). */
export async function countKafkaRecords(
  brokers: string,
  prefixes: Record<string, string>,
): Promise<Record<string, number>> {
  const kafka = new Kafka({
    clientId: "oms-bench",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    const counts: Record<string, number> = {};
    for (const [name, prefix] of Object.entries(prefixes)) {
      counts[name] = 0;
      for (const topic of topics.filter((candidate) => candidate.startsWith(prefix))) {
        for (const partition of await admin.fetchTopicOffsets(topic))
          counts[name] += Number(partition.high);
      }
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}
