import { expect } from "chai";
import { ZeroAddress, getAddress, parseEther } from "ethers";
import { Phase, type JobParameters, type OmniMarket } from "../../src/chain";
import { InvalidInputError, WorkerSetupError } from "../../src/errors";
import type { Logger } from "../../src/infra";
import { DEFAULT_MODEL_CONFIG, buildPublicPart, publicSize } from "../../src/ml";
import { jobParameters } from "../../src/owner/postJob";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { jobShape, windowFloors } from "../../src/protocol/windows";
import type { JobParams, WorkerOptions } from "../../src/worker/context";
import { findJob, type JobFilter } from "../../src/worker/findJob";
import { DEFAULT_JOB_POLICY, assessJob, jobPolicy, ownSubmitSeconds } from "../../src/worker/jobPolicy";
import { checkJobFits } from "../../src/worker/stages/choose";

const TOKEN = "0x" + "ab".repeat(20);

describe("worker/jobPolicy", () => {
  // The default CNN's public part, as the model owner posts it (postJob: publicWeights(model).length).
  const paramCount = publicSize(buildPublicPart(DEFAULT_MODEL_CONFIG));
  const demoTerms = { ...DEMO_RECIPE.terms, token: ZeroAddress, numDOs: 9, groupSize: 3, rounds: 1 };
  const demo = jobParameters(demoTerms, DEFAULT_MODEL_CONFIG, paramCount);
  const job = (changes: Partial<JobParameters>): JobParameters => ({ ...demo, ...changes });
  const assess = (changes: Partial<JobParameters>, policy = DEFAULT_JOB_POLICY) => assessJob(job(changes), undefined, policy);

  describe("the demo recipe's job", () => {
    it("passes the default policy with one round (its stake is exactly 5× its pay) and with five", () => {
      expect(paramCount).to.equal(14080);
      expect(assessJob(demo, undefined, DEFAULT_JOB_POLICY)).to.deep.equal([]);
      expect(assess({ rounds: 5 })).to.deep.equal([]);
    });

    it("passes with the shape the market reports for it", () => {
      const s = jobShape(9, 3, paramCount);
      expect(assessJob(demo, { wordCount: s.words, chunkWords: s.chunkWords, chunkCount: s.chunks }, DEFAULT_JOB_POLICY)).to.deep.equal([]);
    });
  });

  describe("the attack jobs of finding 1", () => {
    it("refuses a submit window of 1 s, saying so", () => {
      expect(assess({ submitDuration: 1 })).to.deep.equal([
        "submit window 1 s is below the contract's floor of 96 s for this job (9 DOs in groups of 3, 14080 parameters)",
      ]);
    });

    it("refuses a stake of 100× the job's pay, saying so", () => {
      expect(assess({ stake: parseEther("1") })).to.deep.equal([
        "stake 1.0 ETH is 100× the most this job pays a member (0.01 ETH: 1 round of 0.01 ETH), above this worker's maximum of 5×",
      ]);
    });

    it("lists every reason of a job that fails several rules", () => {
      const reasons = assess({ submitDuration: 1, revealDuration: 1, stake: parseEther("1") });
      expect(reasons).to.have.length(3);
      expect(reasons[0]).to.match(/^submit window 1 s/);
      expect(reasons[1]).to.equal("reveal window 1 s is below this worker's minimum of 60 s");
      expect(reasons[2]).to.match(/^stake 1.0 ETH is 100×/);
    });
  });

  describe("windows", () => {
    for (const [name, field] of [
      ["join", "joinDuration"],
      ["commit", "commitDuration"],
      ["submit", "submitDuration"],
      ["reveal", "revealDuration"],
      ["aggregate", "aggregateDuration"],
    ] as const) {
      it(`refuses ${name === "aggregate" ? "an" : "a"} ${name} window below this worker's minimum`, () => {
        // Every floor of the demo's job is below 150 s (the largest, aggregate, is 132 s).
        const long = { joinDuration: 1000, commitDuration: 1000, submitDuration: 1000, revealDuration: 1000, aggregateDuration: 1000 };
        const reasons = assess({ ...long, [field]: 100 }, jobPolicy({ minWindowSeconds: 150 }));
        expect(reasons).to.deep.equal([`${name} window 100 s is below this worker's minimum of 150 s`]);
      });
    }

    it("takes a window of exactly the minimum", () => {
      expect(assess({ revealDuration: 60 })).to.deep.equal([]);
    });

    it("refuses a window below the contract's floor for the job, which a job on an older contract can be", () => {
      const floors = windowFloors(9, 3, paramCount);
      expect(floors.commit).to.equal(48);
      expect(assess({ commitDuration: 47 }, jobPolicy({ minWindowSeconds: 0 }))).to.deep.equal([
        "commit window 47 s is below the contract's floor of 48 s for this job (9 DOs in groups of 3, 14080 parameters)",
      ]);
    });

    it("refuses a submit window in which this worker cannot dispute every peer and submit, one block per transaction", () => {
      // Groups of 5 of 9: up to 9 members in a group, 8 peers; the contract's floor is 132 s, the worker's own need 144 s.
      const s = jobShape(9, 5, paramCount);
      expect(windowFloors(9, 5, paramCount).submit).to.equal(132);
      expect(ownSubmitSeconds(s.maxGroup, s.chunkWords, s.chunks).seconds).to.equal(144);
      const reasons = assessJob(job({ groupSize: 5, submitDuration: 140 }), undefined, DEFAULT_JOB_POLICY);
      expect(reasons).to.include(
        "submit window 140 s is below the 144 s this worker's own submission may take (8 disputes and 1 submit transaction, one 12 s block each, after 3 blocks' margin)",
      );
    });

    it("counts the submit transactions from the chunks the market reports", () => {
      // An older contract's chunks of 10,000 words (320,000 bytes) need one transaction each.
      expect(ownSubmitSeconds(5, 10_000, 3)).to.deep.equal({ seconds: 12 * (3 + 4 + 3), disputes: 4, submissions: 3 });
    });
  });

  describe("stake", () => {
    it("weighs the stake against the pay of every round", () => {
      expect(assess({ stake: parseEther("0.25"), rounds: 5 })).to.deep.equal([]);
      expect(assess({ stake: parseEther("0.26"), rounds: 5 })).to.deep.equal([
        "stake 0.26 ETH is 5.2× the most this job pays a member (0.05 ETH: 5 rounds of 0.01 ETH), above this worker's maximum of 5×",
      ]);
    });

    it("refuses any stake on a job that pays nothing, and takes a job that risks nothing", () => {
      expect(assess({ rewardPerRound: 0n })).to.deep.equal(["stake 0.05 ETH is at risk on a job that pays a member nothing"]);
      expect(assess({ rewardPerRound: 0n, stake: 0n })).to.deep.equal([]);
    });

    it("follows the operator's ratio, fractions included", () => {
      expect(assess({}, jobPolicy({ maxStakeToRewardRatio: 4.5 }))).to.have.length(1);
      expect(assess({ stake: parseEther("0.045") }, jobPolicy({ maxStakeToRewardRatio: 4.5 }))).to.deep.equal([]);
    });
  });

  describe("duration and size", () => {
    it("refuses a job whose rounds last longer than the maximum", () => {
      // The demo's round windows add up to 1380 s; 188 rounds take 72.07 h.
      expect(assess({ rounds: 187, stake: 0n })).to.deep.equal([]);
      expect(assess({ rounds: 188, stake: 0n })).to.deep.equal([
        "the job's 188 rounds of up to 1380 s each last up to 72.1 h, above this worker's maximum of 72 h",
      ]);
    });

    it("refuses a model larger than the maximum", () => {
      expect(assess({}, jobPolicy({ maxParams: 10_000 }))).to.deep.equal(["the model has 14080 public parameters, above this worker's maximum of 10000"]);
    });

    it("refuses a job whose rounds need more chunks than the protocol admits", () => {
      const reasons = assessJob(demo, { wordCount: 1760, chunkWords: 1, chunkCount: 9000 }, DEFAULT_JOB_POLICY);
      expect(reasons).to.include("the job's updates need 9000 aggregation chunks per round, more than the 8192 the protocol admits");
    });
  });

  describe("the rule", () => {
    it("refuses too few groups for the median", () => {
      expect(assess({ groupSize: 4 })).to.include("9 DOs in groups of 4 make 2 groups, fewer than the 3 the median needs to resist one bad group");
    });

    it("refuses too few groups for a trimmed mean, and one that trims nothing", () => {
      expect(assess({ rule: 1, trimBps: 2000 })).to.deep.equal([
        "9 DOs in groups of 3 make 3 groups, fewer than the 5 a trimmed mean of 2000 bps needs to resist one bad group",
      ]);
      expect(assess({ rule: 1, trimBps: 3400 })).to.deep.equal([]);
      expect(assess({ rule: 1, trimBps: 0 })).to.deep.equal(["a trimmed mean with trimBps 0 cannot resist a bad group (it must be between 1 and 4999)"]);
    });

    it("refuses too few groups for Multi-Krum, and takes an unknown rule for what it is", () => {
      expect(assess({ rule: 3 })).to.deep.equal(["9 DOs in groups of 3 make 3 groups, fewer than the 5 Multi-Krum needs to resist one bad group"]);
      expect(assess({ rule: 4 })).to.deep.equal(["the job's rule 4 is unknown to this worker"]);
    });
  });

  describe("token", () => {
    it("refuses an ERC-20 the operator did not list, and takes one it did", () => {
      expect(assess({ token: TOKEN })).to.deep.equal([
        `the job pays in the ERC-20 ${getAddress(TOKEN)}, which is not among the tokens this worker accepts (--token; ETH only by default)`,
      ]);
      expect(assess({ token: TOKEN }, jobPolicy({ tokens: [TOKEN.toUpperCase().replace("0X", "0x")] }))).to.deep.equal([]);
    });
  });

  describe("jobPolicy", () => {
    it("fills every limit not given from the defaults", () => {
      expect(jobPolicy()).to.deep.equal({ ...DEFAULT_JOB_POLICY, tokens: [] });
      expect(jobPolicy({ maxJobHours: 1 }).maxJobHours).to.equal(1);
    });

    it("refuses a negative or non-finite limit and a token that is no address, naming the field", () => {
      expect(() => jobPolicy({ minWindowSeconds: -1 })).to.throw(InvalidInputError, /minWindowSeconds/);
      expect(() => jobPolicy({ maxStakeToRewardRatio: NaN })).to.throw(InvalidInputError, /maxStakeToRewardRatio/);
      expect(() => jobPolicy({ tokens: ["0x12"] })).to.throw(InvalidInputError, /tokens: 0x12 is not an address/);
    });
  });

  describe("findJob", () => {
    const filter: JobFilter = { taskTag: demo.taskTag as string, modelCommitment: demo.modelCommitment as string, minRewardWei: 0n };

    /** A market holding `jobs` (job i + 1), all joining, counting the parameter reads. */
    function marketOf(jobs: JobParameters[]) {
      const reads: bigint[] = [];
      const market = {
        jobCount: async () => BigInt(jobs.length),
        phase: async () => BigInt(Phase.Joining),
        jobParams: async (id: bigint) => {
          reads.push(id);
          return jobs[Number(id) - 1];
        },
        jobInfo: async (id: bigint) => {
          const p = jobs[Number(id) - 1];
          const s = jobShape(Number(p.numDOs), Number(p.groupSize), Number(p.paramCount));
          return { wordCount: s.words, chunkWords: s.chunkWords, chunkCount: s.chunks };
        },
      } as unknown as OmniMarket;
      return { market, reads };
    }

    function recorder(): { log: Logger; lines: string[] } {
      const lines: string[] = [];
      const push = (m: string) => void lines.push(m);
      return { log: { debug: push, info: push, warn: push, error: push }, lines };
    }

    it("skips a newer job that fails the policy for an older one that passes, logging each reason once", async () => {
      const { market, reads } = marketOf([demo, job({ submitDuration: 1, stake: parseEther("1") })]);
      const { log, lines } = recorder();
      const refused = new Set<bigint>();
      expect(await findJob(market, filter, { log, refused })).to.equal(1n);
      expect(await findJob(market, filter, { log, refused })).to.equal(1n);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^skipping job 2: submit window 1 s is below/);
      expect(lines[1]).to.match(/^skipping job 2: stake 1.0 ETH is 100×/);
      expect(reads).to.deep.equal([2n, 1n, 1n]);
    });

    it("finds nothing when every job fails the policy, and takes them with a policy that admits them", async () => {
      const { market } = marketOf([job({ revealDuration: 50 })]);
      expect(await findJob(market, filter)).to.equal(undefined);
      expect(await findJob(market, filter, { policy: jobPolicy({ minWindowSeconds: 50 }) })).to.equal(1n);
    });
  });

  describe("checkJobFits", () => {
    const opts = { filter: { taskTag: demo.taskTag, modelCommitment: demo.modelCommitment, minRewardWei: 0n } } as unknown as WorkerOptions;
    const attack = job({ submitDuration: 1, stake: parseEther("1") }) as unknown as JobParams;

    it("refuses a job named by --job that fails the policy, listing every reason", () => {
      expect(() => checkJobFits(opts, 4n, attack, { joined: false })).to.throw(
        WorkerSetupError,
        /^job 4 does not fit this worker's policy: submit window 1 s is below .*; stake 1.0 ETH is 100× .*maximum of 5×$/,
      );
      expect(() => checkJobFits(opts, 1n, demo as unknown as JobParams, { joined: false })).not.to.throw();
    });

    it("never refuses a job this account joined already: leaving would forfeit its stake", () => {
      expect(() => checkJobFits(opts, 4n, attack, { joined: true })).not.to.throw();
      expect(() => checkJobFits(opts, 4n, attack)).not.to.throw();
    });

    it("uses the policy of the worker's options", () => {
      const loose = { ...opts, policy: { minWindowSeconds: 0, maxStakeToRewardRatio: 100 } } as WorkerOptions;
      expect(() => checkJobFits(loose, 4n, job({ submitDuration: 96, stake: parseEther("1") }) as unknown as JobParams, { joined: false })).not.to.throw();
    });
  });
});
