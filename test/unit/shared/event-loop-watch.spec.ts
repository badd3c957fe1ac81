import { EventLoopWatch } from "../../../services/shared/runtime/event-loop-watch";

describe("EventLoopWatch", () => {
  let clock = 0;
  const watch = () =>
    new EventLoopWatch({ tickMs: 100, maxStallMs: 1_000, windowMs: 30_000 }, () => clock);

  beforeEach(() => {
    clock = 0;
  });

  it("is healthy while the timer fires on time, or a little late", () => {
    const subject = watch();
    subject.start();
    for (let i = 0; i < 50; i += 1) {
      clock += 150;
      subject.tick();
    }
    subject.stop();
    expect(subject.recentStall()).toBeNull();
  });

  it("reports a stall longer than maxStallMs, for windowMs, then forgets it", () => {
    const subject = watch();
    subject.start();
    clock += 100 + 2_500; // the loop was blocked 2.5 s
    subject.tick();
    expect(subject.recentStall()).toEqual({ ms: 2_500, secondsAgo: 0 });
    clock += 29_000;
    expect(subject.recentStall()).toEqual({ ms: 2_500, secondsAgo: 29 });
    clock += 2_000;
    expect(subject.recentStall()).toBeNull();
    subject.stop();
  });
});
