// The job contract (engine/job.ts): a definition is checked when it is made, parameters
// are resolved by the job's schema (defaults filled in, resolved parameters parse to
// themselves), and whatever goes wrong in a job is one JobError line naming it.

import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  countAggregate,
  defineJob,
  integerIn,
  JobError,
  jobParams,
  jobPlan,
  jobProblem,
  jobSize,
  QueryBuilder,
  timeWindow,
} from "../../engine/index.js";

const params = z.object({ parallelism: integerIn(1, 8).default(2), label: z.string().default("x") }).strict();

function plan(p: z.output<typeof params>) {
  const q = new QueryBuilder("t");
  const window = timeWindow({ sizeMs: 10, slideMs: 10, aggregate: countAggregate });
  const source = q.source("s", () => ({ next: () => false, position: () => 0, seek: () => {} }));
  const count = q.operator("count", window.create, { ...window.options, parallelism: p.parallelism });
  const sink = q.sink("out", () => ({ onBatch() {} }));
  q.connect(source, count, "key").connect(count, sink, "forward");
  return q.build();
}

const job = defineJob({ name: "t", params, plan });

describe("defineJob", () => {
  it("marks a well-formed definition as a job and freezes it", () => {
    expect(job.kind).toBe("seep-job");
    expect(Object.isFrozen(job)).toBe(true);
    expect(jobProblem(job)).toBeNull();
  });

  it("refuses a malformed definition in one line", () => {
    const bad = (d: unknown) => () => defineJob(d as Parameters<typeof defineJob>[0]);
    expect(bad({ name: "has space", params, plan })).toThrow(/^defineJob: name must be 1 to 100 letters/);
    expect(bad({ name: "t", params: {}, plan })).toThrow('defineJob: job "t": params must be a zod schema');
    expect(bad({ name: "t", params })).toThrow('defineJob: job "t": plan must be a function');
    expect(bad({ name: "t", params, plan, size: 3 })).toThrow('defineJob: job "t": size must be a function');
  });

  it("tells a job from other values", () => {
    expect(jobProblem(null)).toBe("is null, not a job");
    expect(jobProblem(3)).toBe("is number, not a job");
    expect(jobProblem({ name: "t", params, plan })).toBeNull();
  });
});

describe("jobParams", () => {
  it("fills in the defaults, and the resolved parameters parse to themselves", () => {
    const resolved = jobParams(job, { parallelism: 3 });
    expect(resolved).toEqual({ parallelism: 3, label: "x" });
    expect(jobParams(job, resolved)).toEqual(resolved);
    expect(jobParams(job, undefined)).toEqual({ parallelism: 2, label: "x" });
  });

  it("names the job and the parameter of a bad value", () => {
    expect(() => jobParams(job, { parallelism: 9 })).toThrow(
      new JobError('workload "t": params.parallelism: must be an integer from 1 to 8, got 9'),
    );
    expect(() => jobParams(job, { colour: 1 })).toThrow(/^workload "t": params: .*colour/);
  });
});

describe("a job's own plan and size", () => {
  it("resolve raw parameters through the schema: a caller handing {} gets the defaults", () => {
    expect(job.plan({} as never, 1).operators[1].parallelism).toBe(2);
    expect(() => job.plan({ parallelism: 0 } as never, 1)).toThrow(/^workload "t": params\.parallelism: /);
    const sized = defineJob({
      name: "s",
      params,
      plan,
      size: (p) => ({ sourceTuples: p.parallelism, streamMs: 0, eventTimeStepMs: 0, tupleVisits: 0 }),
    });
    expect(sized.size?.({} as never).sourceTuples).toBe(2);
  });
});

describe("jobPlan and jobSize", () => {
  it("build the plan from the resolved parameters", () => {
    expect(jobPlan(job, { parallelism: 4 }, 1).operators[1].parallelism).toBe(4);
  });

  it("turn a throw in the job into one line naming it", () => {
    const throwing = defineJob({
      name: "boom",
      params,
      plan: () => {
        throw new TypeError("cannot read x of undefined\n    at plan (job.ts:3)");
      },
      size: () => {
        throw "not an error";
      },
    });
    expect(() => jobPlan(throwing, {}, 1)).toThrow(
      new JobError('workload "boom": plan threw: cannot read x of undefined'),
    );
    expect(() => jobSize(throwing, {})).toThrow(new JobError('workload "boom": size threw: not an error'));
  });

  it("pass a JobError of the job through as it is, and say null for a job without a size", () => {
    const checking = defineJob({
      name: "c",
      params,
      plan: () => {
        throw new JobError('workload "c": params.label and params.parallelism disagree');
      },
    });
    expect(() => jobPlan(checking, {}, 1)).toThrow(
      /^workload "c": params\.label and params\.parallelism disagree$/,
    );
    expect(jobSize(checking, {})).toBeNull();
  });
});
