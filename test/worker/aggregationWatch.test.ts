import { expect } from "chai";
import { AggregationWatch } from "../../src/worker/aggregationWatch";

describe("worker/aggregationWatch", () => {
  it("lets the designated aggregator aggregate at once", () => {
    expect(new AggregationWatch(60_000).due(0, 0, true, 1_000)).to.equal(true);
  });

  it("lets another member take over only after aggregation stood still for the whole delay", () => {
    const watch = new AggregationWatch(60_000);
    expect(watch.due(0, 0, false, 0)).to.equal(false);
    expect(watch.due(0, 0, false, 60_000)).to.equal(false);
    expect(watch.due(0, 0, false, 60_001)).to.equal(true);
  });

  it("restarts the delay each time a chunk is aggregated, so a slow but moving aggregation is left alone", () => {
    const watch = new AggregationWatch(60_000);
    for (let chunk = 0, now = 0; chunk < 26; chunk++, now += 50_000) expect(watch.due(0, chunk, false, now), `chunk ${chunk}`).to.equal(false);
    expect(watch.due(0, 25, false, 25 * 50_000 + 60_001)).to.equal(true);
  });

  it("waits a whole delay after an attempt, and starts afresh in a new round or phase", () => {
    const watch = new AggregationWatch(1_000);
    expect(watch.due(0, 3, false, 2_000 - 999)).to.equal(false);
    expect(watch.due(0, 3, false, 2_500)).to.equal(true);
    watch.attempted(2_500);
    expect(watch.due(0, 3, false, 3_000)).to.equal(false);
    expect(watch.due(1, 0, false, 3_100)).to.equal(false);
    watch.reset();
    expect(watch.due(1, 0, false, 3_200)).to.equal(false);
    expect(watch.due(1, 0, false, 4_201)).to.equal(true);
  });
});
