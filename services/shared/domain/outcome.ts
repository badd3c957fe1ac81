/**
 * What a command did to an aggregate, in every context. "applied": it changed the aggregate and
 * recorded what follows. "unchanged": it had already happened, came too late to matter, or asked
 * for something the aggregate had already decided otherwise; nothing changed (the aggregate may
 * still answer again with how it ended, so a sender that asks twice is told). Deciding which is
 * the aggregate's job: handlers only load, call and save.
 */
export type Outcome = "applied" | "unchanged";

/** What storing a new aggregate did: "exists" when another writer stored the same one first. */
export type Insertion = "added" | "exists";
