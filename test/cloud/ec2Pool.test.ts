// The EC2 pool against a mocked EC2 client (no AWS is reachable from the tests): what it
// asks EC2 for, how it retries, that it cleans up after itself, and that the worker token
// stays out of every error.

import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  Ec2Pool,
  type Ec2PoolEffects,
  type Ec2PoolOptionsInput,
  terminateRunInstances,
  uniqueRunId,
} from "../../cloud/ec2Pool.js";
import { TimeoutError } from "../../cloud/timeouts.js";

const TOKEN = "tok-5ecret-0f-the-w0rkers";
const OPTIONS: Ec2PoolOptionsInput = {
  region: "eu-west-1",
  imageId: "ami-0123456789abcdef0",
  token: TOKEN,
  runId: "wordcount-7",
  pollIntervalMs: 1_000,
  readyTimeoutMs: 10_000,
};

const ec2 = mockClient(EC2Client);

beforeEach(() => {
  ec2.reset();
});

/** A client that never reaches AWS (the mock intercepts send) and never looks for credentials. */
function client(): EC2Client {
  return new EC2Client({
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

/** Instant effects on a fake clock that sleeping advances; records every sleep. */
function fakeEffects(portOpen: (address: string) => boolean = () => true) {
  let nowMs = 0;
  const sleepsMs: number[] = [];
  const probed: string[] = [];
  const effects: Ec2PoolEffects = {
    now: () => nowMs,
    sleep: async (ms) => {
      sleepsMs.push(ms);
      nowMs += ms;
    },
    random: () => 0.5,
    isPortOpen: async (address) => {
      probed.push(address);
      return portOpen(address);
    },
  };
  return { effects, sleepsMs, probed };
}

function pool(extra: Partial<Ec2PoolOptionsInput> = {}, fx = fakeEffects()): Ec2Pool {
  return new Ec2Pool({ ...OPTIONS, ...extra }, client(), fx.effects);
}

function awsError(name: string, message = `${name} happened`): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: "client", $metadata: {}, message });
}

function described(...instances: [id: string, state: string, ip?: string][]) {
  return {
    Reservations: [
      {
        Instances: instances.map(([id, state, ip]) => ({
          InstanceId: id,
          State: { Name: state as "running" },
          PrivateIpAddress: ip,
        })),
      },
    ],
  };
}

/** The instances asked for, running, each with an address. */
function running(input: { InstanceIds?: string[] }): [string, string, string][] {
  return (input.InstanceIds ?? []).map((id, i) => [id, "running", `10.0.0.${i + 1}`]);
}

function launched(...ids: string[]) {
  return { Instances: ids.map((id) => ({ InstanceId: id })) };
}

function terminatedIds(): string[][] {
  return ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds ?? []);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("Ec2Pool", () => {
  it("acquire launches one tagged instance whose user data starts the worker, and waits until it runs", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described(["i-1", "pending"]))
      .resolves(described(["i-1", "running", "10.0.3.17"]));
    const fx = fakeEffects();
    const vm = await pool({ instanceType: "c5.xlarge", workerPort: 7171 }, fx).acquire();

    expect(vm).toEqual({ id: "i-1", address: "10.0.3.17:7171" });
    const [run] = ec2.commandCalls(RunInstancesCommand);
    const input = run.args[0].input;
    expect(input).toMatchObject({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "c5.xlarge",
      MinCount: 1,
      MaxCount: 1,
    });
    expect(input.TagSpecifications).toEqual([
      {
        ResourceType: "instance",
        Tags: [
          { Key: "seep:run", Value: "wordcount-7" },
          { Key: "seep:role", Value: "worker" },
          { Key: "Name", Value: "seep-wordcount-7" },
        ],
      },
    ]);
    const script = Buffer.from(input.UserData ?? "", "base64").toString("utf8");
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain("cd /opt/seep-testbed");
    // The token goes into a file only root reads; the command line names the file.
    expect(script).toContain(`printf '%s' '${TOKEN}' > '/etc/seep/token'`);
    expect(script).toContain("npx seep worker --listen 0.0.0.0:7171 --token-file '/etc/seep/token'");
    expect(script).not.toContain(`--token '`);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([
      ["i-1"],
      ["i-1"],
    ]);
    expect(fx.sleepsMs).toEqual([1_000]);
    expect(fx.probed).toEqual(["10.0.3.17:7171"]);
    expect(terminatedIds()).toEqual([]);
  });

  it("passes the optional network, key and instance profile settings to RunInstances", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    await pool({
      subnetId: "subnet-1",
      securityGroupIds: ["sg-1", "sg-2"],
      keyName: "me",
      iamInstanceProfile: "seep-worker",
    }).acquire();
    expect(ec2.commandCalls(RunInstancesCommand)[0].args[0].input).toMatchObject({
      InstanceType: "c5.large",
      SubnetId: "subnet-1",
      SecurityGroupIds: ["sg-1", "sg-2"],
      KeyName: "me",
      IamInstanceProfile: { Name: "seep-worker" },
      InstanceInitiatedShutdownBehavior: "terminate",
    });
  });

  it("hands a VM out only once its worker's port accepts connections", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    let probes = 0;
    const fx = fakeEffects(() => ++probes >= 3);
    expect(await pool({}, fx).acquire()).toEqual({ id: "i-1", address: "10.0.0.1:7070" });
    expect(fx.probed).toHaveLength(3);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it("prewarm launches n instances in one call and acquire hands them out before launching more", async () => {
    ec2.on(RunInstancesCommand).resolvesOnce(launched("i-1", "i-2")).resolves(launched("i-3"));
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described(["i-1", "running", "10.0.0.1"], ["i-2", "pending"]))
      .resolvesOnce(described(["i-2", "running", "10.0.0.2"]))
      .resolves(described(["i-3", "running", "10.0.0.3"]));
    const p = pool();
    await p.prewarm(2);
    const runs = ec2.commandCalls(RunInstancesCommand);
    expect(runs.map((c) => [c.args[0].input.MinCount, c.args[0].input.MaxCount])).toEqual([[2, 2]]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[1].args[0].input.InstanceIds).toEqual(["i-2"]);
    expect((await p.acquire()).id).toBe("i-1");
    expect((await p.acquire()).id).toBe("i-2");
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);
    expect(await p.acquire()).toEqual({ id: "i-3", address: "10.0.0.3:7070" });
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });

  it("lists as idle, for their leases to be kept, instances ready while others of their launch boot, then the prewarmed ones", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1", "i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described(["i-1", "running", "10.0.0.1"], ["i-2", "pending"]))
      .resolves(described(["i-2", "running", "10.0.0.2"]));
    const idleWhileBooting: string[][] = [];
    const fx = fakeEffects();
    const p = new Ec2Pool(OPTIONS, client(), {
      ...fx.effects,
      sleep: async (ms) => {
        idleWhileBooting.push(p.idle().map((vm) => vm.id));
        await fx.effects.sleep?.(ms);
      },
    });
    expect(p.idle()).toEqual([]);
    await p.prewarm(2);
    expect(idleWhileBooting).toEqual([["i-1"]]);
    expect(p.idle()).toEqual([
      { id: "i-1", address: "10.0.0.1:7070" },
      { id: "i-2", address: "10.0.0.2:7070" },
    ]);
    await p.acquire();
    expect(p.idle().map((vm) => vm.id)).toEqual(["i-2"]);
  });

  it("keeps polling while a just-launched instance is not yet visible to DescribeInstances", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(awsError("InvalidInstanceID.NotFound"))
      .resolves(described(["i-1", "running", "10.0.0.1"]));
    expect((await pool().acquire()).id).toBe("i-1");
  });

  it("retries a capacity error and then succeeds", async () => {
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(awsError("InsufficientInstanceCapacity"))
      .resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    const fx = fakeEffects();
    expect((await pool({}, fx).acquire()).id).toBe("i-1");
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(2);
    expect(fx.sleepsMs).toEqual([375]);
  });

  it("retries throttling with growing backoff delays", async () => {
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(awsError("RequestLimitExceeded"))
      .rejectsOnce(awsError("Throttling"))
      .rejectsOnce(awsError("ThrottlingException"))
      .resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    const fx = fakeEffects();
    await pool({}, fx).acquire();
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(4);
    // Equal jitter with random() = 0.5: three quarters of 500, 1000, 2000 ms.
    expect(fx.sleepsMs).toEqual([375, 750, 1_500]);
  });

  it("carries one idempotency token per launch, the same on every retry of that launch", async () => {
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(awsError("RequestLimitExceeded"))
      .rejectsOnce(awsError("InsufficientInstanceCapacity"))
      .resolvesOnce(launched("i-1"))
      .resolves(launched("i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .callsFake((input: { InstanceIds?: string[] }) => described(...running(input)));
    const p = pool();
    await p.acquire();
    await p.acquire();
    const tokens = ec2.commandCalls(RunInstancesCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens).toHaveLength(4);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f-]{36}$/); // at most 64 ASCII characters
    expect(new Set(tokens.slice(0, 3)).size).toBe(1); // the first launch, tried three times
    expect(tokens[3]).not.toBe(tokens[0]); // the second launch
  });

  it("with TLS, its user data carries the run's CA and the workers' certificate and key, and the message bound", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    const tls = { caPem: "-----CA-----\n", certPem: "-----CERT-----\n", keyPem: "-----KEY-----\n" };
    await pool({ tls, messageBytesMax: 9_000_000 }).acquire();
    const input = ec2.commandCalls(RunInstancesCommand)[0].args[0].input;
    const script = Buffer.from(input.UserData ?? "", "base64").toString("utf8");
    expect(script).toContain(`printf '%s' '${tls.caPem}' > '/etc/seep/ca.pem'`);
    expect(script).toContain(`printf '%s' '${tls.keyPem}' > '/etc/seep/worker-key.pem'`);
    expect(script).toContain(
      "--tls-cert '/etc/seep/worker.pem' --tls-key '/etc/seep/worker-key.pem' --tls-ca '/etc/seep/ca.pem' " +
        "--message-bytes-max 9000000",
    );
  });

  it("never puts the workers' TLS key in an error message, even when AWS echoes it", async () => {
    const keyPem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecretsecret\n-----END RSA PRIVATE KEY-----\n";
    ec2.on(RunInstancesCommand).rejects(awsError("InvalidParameterValue", `bad user data: ${keyPem}`));
    const error = await rejection(pool({ tls: { caPem: "ca", certPem: "cert", keyPem } }).acquire());
    expect(error.message).not.toContain("MIIEowIBAAKCAQEAsecretsecretsecret");
    expect(error.message).toContain("<key>");
  });

  it("gives up on InstanceLimitExceeded after five attempts with a message saying what to do", async () => {
    ec2
      .on(RunInstancesCommand)
      .rejects(awsError("InstanceLimitExceeded", "You have requested more instances"));
    const fx = fakeEffects();
    const error = await rejection(pool({}, fx).acquire());
    expect(error.message).toMatch(
      /instance \(vCPU\) limit is reached.*quota increase.*InstanceLimitExceeded/,
    );
    expect(error.message).toContain("after 5 attempts");
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(5);
    expect(fx.sleepsMs).toHaveLength(4);
    expect(fx.sleepsMs).toEqual([...fx.sleepsMs].sort((a, b) => a - b));
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it("propagates other errors at once, without retrying", async () => {
    ec2.on(RunInstancesCommand).rejects(awsError("InvalidAMIID.NotFound", "The image id does not exist"));
    const fx = fakeEffects();
    const error = await rejection(pool({}, fx).acquire());
    expect(error.message).toContain("InvalidAMIID.NotFound: The image id does not exist");
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);
    expect(fx.sleepsMs).toEqual([]);
  });

  it("terminates the instance when DescribeInstances fails after RunInstances succeeded", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-9"));
    ec2.on(DescribeInstancesCommand).rejects(awsError("UnauthorizedOperation", "not allowed"));
    ec2.on(TerminateInstancesCommand).resolves({});
    const p = pool();
    const error = await rejection(p.acquire());
    expect(error.message).toMatch(/i-9 .*did not become ready: not allowed; terminated them/);
    expect(terminatedIds()).toEqual([["i-9"]]);
    expect(p.liveInstanceIds).toEqual([]);
  });

  it("terminates the instance when it is not ready before the timeout", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-9"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-9", "pending"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    const fx = fakeEffects();
    const p = pool({}, fx);
    const error = await rejection(p.acquire());
    expect(error.message).toMatch(/timed out after 10000 ms \(i-9 pending\); terminated them/);
    // A machine (or a region) too slow is not a bug: one line saying what to raise.
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/\(if they are only slow, raise cloud\.ec2\.readyTimeoutMs\)$/);
    expect(p.idle()).toEqual([]);
    expect(fx.sleepsMs.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(terminatedIds()).toEqual([["i-9"]]);
  });

  it("terminates the instance when its worker never opens its port", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-9"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-9", "running", "10.0.0.9"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    const error = await rejection(
      pool(
        {},
        fakeEffects(() => false),
      ).acquire(),
    );
    expect(error.message).toContain("i-9 running, worker port closed");
    expect(terminatedIds()).toEqual([["i-9"]]);
  });

  it("fails at once when an instance dies while booting", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-9"));
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-9",
              State: { Name: "terminated" },
              StateReason: { Message: "Server.SpotInstanceTermination" },
            },
          ],
        },
      ],
    });
    ec2.on(TerminateInstancesCommand).resolves({});
    const fx = fakeEffects();
    const error = await rejection(pool({}, fx).acquire());
    expect(error.message).toContain("i-9 is terminated (Server.SpotInstanceTermination)");
    expect(fx.sleepsMs).toEqual([]);
  });

  it("refuses to go beyond maxInstances without calling AWS", async () => {
    const p = pool({ maxInstances: 2 });
    expect((await rejection(p.prewarm(3))).message).toMatch(
      /would exceed maxInstances=2 \(0 alive or starting\)/,
    );
    expect(ec2.calls()).toHaveLength(0);

    ec2.on(RunInstancesCommand).resolves(launched("i-1", "i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .resolves(described(["i-1", "running", "10.0.0.1"], ["i-2", "running", "10.0.0.2"]));
    await p.prewarm(2);
    await p.acquire();
    await p.acquire();
    const before = ec2.calls().length;
    expect((await rejection(p.acquire())).message).toMatch(
      /would exceed maxInstances=2 \(2 alive or starting\)/,
    );
    expect(ec2.calls()).toHaveLength(before);
  });

  it("counts instances still launching against maxInstances", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    const p = pool({ maxInstances: 1 });
    const first = p.acquire();
    await expect(p.acquire()).rejects.toThrow(/maxInstances=1/);
    await first;
  });

  it("release terminates that instance, and frees its place under maxInstances", async () => {
    ec2.on(RunInstancesCommand).resolvesOnce(launched("i-1")).resolves(launched("i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described(["i-1", "running", "10.0.0.1"]))
      .resolves(described(["i-2", "running", "10.0.0.2"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    const p = pool({ maxInstances: 1 });
    const vm = await p.acquire();
    await p.release(vm);
    expect(terminatedIds()).toEqual([["i-1"]]);
    await p.release(vm);
    expect(terminatedIds()).toEqual([["i-1"]]);
    expect((await p.acquire()).id).toBe("i-2");
    await expect(p.release({ id: "i-other", address: "10.0.0.9:7070" })).rejects.toThrow(/not an instance/);
  });

  it("shutdown terminates every instance started, in one call, and a second shutdown does nothing", async () => {
    ec2.on(RunInstancesCommand).resolvesOnce(launched("i-1", "i-2")).resolves(launched("i-3"));
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(described(["i-1", "running", "10.0.0.1"], ["i-2", "running", "10.0.0.2"]))
      .resolves(described(["i-3", "running", "10.0.0.3"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    const p = pool();
    await p.prewarm(2);
    await p.acquire();
    await p.acquire();
    const vm3 = await p.acquire();
    await p.release(vm3);
    await Promise.all([p.shutdown(), p.shutdown()]);
    expect(terminatedIds()).toEqual([["i-3"], ["i-1", "i-2"]]);
    await p.shutdown();
    expect(terminatedIds()).toHaveLength(2);
    expect(p.liveInstanceIds).toEqual([]);
    await expect(p.acquire()).rejects.toThrow(/shut down/);
  });

  it("shutdown with nothing started calls no AWS API", async () => {
    await pool().shutdown();
    expect(ec2.calls()).toHaveLength(0);
  });

  it("shutdown also terminates an instance still booting, and its acquire fails", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "pending"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    let shutdown: Promise<void> | undefined;
    const fx = fakeEffects();
    const p = new Ec2Pool(OPTIONS, client(), {
      ...fx.effects,
      sleep: async (ms) => {
        shutdown ??= p.shutdown();
        await fx.effects.sleep!(ms);
      },
    });
    await expect(p.acquire()).rejects.toThrow(/shut down/);
    await shutdown;
    expect(terminatedIds()).toEqual([["i-1"]]);
  });

  it("shutdown waits for a RunInstances still in flight and terminates what it launched", async () => {
    let launch: (value: ReturnType<typeof launched>) => void = () => {};
    ec2.on(RunInstancesCommand).callsFake(() => new Promise((resolve) => (launch = resolve)));
    ec2.on(TerminateInstancesCommand).resolves({});
    const p = pool();
    const acquired = p.acquire();
    await Promise.resolve();
    const shutdown = p.shutdown();
    launch(launched("i-1"));
    await shutdown;
    expect(terminatedIds()).toEqual([["i-1"]]);
    await expect(acquired).rejects.toThrow(/shut down/);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  it("shutdown falls back to one call per instance when one id is unknown to EC2", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1", "i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .resolves(described(["i-1", "running", "10.0.0.1"], ["i-2", "running", "10.0.0.2"]));
    ec2
      .on(TerminateInstancesCommand)
      .rejectsOnce(awsError("InvalidInstanceID.NotFound"))
      .resolves({})
      .on(TerminateInstancesCommand, { InstanceIds: ["i-2"] })
      .rejects(awsError("InvalidInstanceID.NotFound"));
    const p = pool();
    await p.prewarm(2);
    await p.shutdown();
    expect(terminatedIds()).toEqual([["i-1", "i-2"], ["i-1"], ...Array(5).fill(["i-2"])]);
    expect(p.liveInstanceIds).toEqual([]);
  });

  it("a failed shutdown names the instances and how to terminate them, and can be retried", async () => {
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).resolves(described(["i-1", "running", "10.0.0.1"]));
    ec2.on(TerminateInstancesCommand).rejectsOnce(awsError("UnauthorizedOperation", "denied")).resolves({});
    const p = pool();
    await p.prewarm(1);
    const error = await rejection(p.shutdown());
    expect(error.message).toContain("aws ec2 terminate-instances --region eu-west-1 --instance-ids i-1");
    await p.shutdown();
    expect(terminatedIds()).toEqual([["i-1"], ["i-1"]]);
    expect(p.liveInstanceIds).toEqual([]);
  });

  it("rejects unknown or invalid options with a one-line error that does not show the token", () => {
    expect(
      () => new Ec2Pool({ ...OPTIONS, instanceTyp: "c5.large" } as Ec2PoolOptionsInput, client()),
    ).toThrow(/invalid EC2 pool options: .*instanceTyp/);
    const error = (() => {
      try {
        new Ec2Pool({ ...OPTIONS, imageId: TOKEN, maxInstances: 0 }, client());
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/^invalid EC2 pool options: imageId: .*; maxInstances: /);
    expect(error?.message).not.toContain("\n");
    expect(error?.message).not.toContain(TOKEN);
  });

  it("never puts the token in an error message, even when AWS echoes it", async () => {
    const messages: string[] = [];
    const collect = async (promise: Promise<unknown>) => messages.push((await rejection(promise)).message);

    ec2
      .on(RunInstancesCommand)
      .rejects(awsError("InvalidParameterValue", `bad user data near --token ${TOKEN}`));
    await collect(pool().acquire());
    ec2.reset();
    ec2.on(RunInstancesCommand).rejects(awsError("InstanceLimitExceeded", `limit ${TOKEN}`));
    await collect(pool().acquire());
    ec2.reset();
    ec2.on(RunInstancesCommand).resolves(launched("i-1"));
    ec2.on(DescribeInstancesCommand).rejects(awsError("UnauthorizedOperation", `denied ${TOKEN}`));
    ec2.on(TerminateInstancesCommand).rejects(awsError("UnauthorizedOperation", `denied too ${TOKEN}`));
    const p = pool();
    await collect(p.acquire());
    await collect(p.shutdown());

    expect(messages).toHaveLength(4);
    for (const message of messages) {
      expect(message).not.toContain(TOKEN);
      expect(message).toContain("<token>");
    }
  });
});

describe("uniqueRunId", () => {
  it("is the experiment's name and a random suffix, different for every run", () => {
    const a = uniqueRunId("wordcount");
    const b = uniqueRunId("wordcount");
    expect(a).toMatch(/^wordcount-[0-9a-f]{8}$/);
    expect(b).toMatch(/^wordcount-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it("makes a valid tag value of any name, cut to 100 characters", () => {
    expect(uniqueRunId("my run/2: höhe", "abcd")).toBe("my-run-2--h-he-abcd");
    expect(uniqueRunId("--x", "abcd")).toBe("x-abcd");
    expect(uniqueRunId("", "abcd")).toBe("run-abcd");
    const long = uniqueRunId("n".repeat(300));
    expect(long.length).toBeLessThanOrEqual(100);
    expect(() => new Ec2Pool({ ...OPTIONS, runId: long }, client())).not.toThrow();
  });

  it("keeps two runs of one experiment apart: each tags its own instances, and a cleanup finds only its own", async () => {
    const [one, two] = [uniqueRunId("wordcount"), uniqueRunId("wordcount")];
    ec2.on(RunInstancesCommand).resolvesOnce(launched("i-1")).resolves(launched("i-2"));
    ec2
      .on(DescribeInstancesCommand)
      .callsFake((input: { InstanceIds?: string[]; Filters?: { Values?: string[] }[] }) => {
        if (input.InstanceIds !== undefined) return described(...running(input));
        // The tag filter, as EC2 applies it: i-1 is run one's, i-2 run two's.
        const tag = input.Filters?.[0]?.Values?.[0];
        return tag === one
          ? described(["i-1", "running"])
          : tag === two
            ? described(["i-2", "running"])
            : described();
      });
    ec2.on(TerminateInstancesCommand).resolves({});
    await pool({ runId: one }).acquire();
    await pool({ runId: two }).acquire();
    const tags = ec2
      .commandCalls(RunInstancesCommand)
      .map((c) => c.args[0].input.TagSpecifications?.[0].Tags?.find((t) => t.Key === "seep:run")?.Value);
    expect(tags).toEqual([one, two]);
    expect(await terminateRunInstances(client(), one)).toEqual(["i-1"]);
    expect(terminatedIds()).toEqual([["i-1"]]);
  });
});

describe("terminateRunInstances", () => {
  it("finds the run's instances by tag, page by page, and terminates them", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ ...described(["i-1", "running"], ["i-2", "stopped"]), NextToken: "page-2" })
      .resolves(described(["i-3", "pending"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    expect(await terminateRunInstances(client(), "wordcount-7")).toEqual(["i-1", "i-2", "i-3"]);
    const describes = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(describes[0].Filters).toEqual([
      { Name: "tag:seep:run", Values: ["wordcount-7"] },
      { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
    ]);
    expect(describes.map((d) => d.NextToken)).toEqual([undefined, "page-2"]);
    expect(terminatedIds()).toEqual([["i-1", "i-2", "i-3"]]);
  });

  it("calls no TerminateInstances when nothing is left running", async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await terminateRunInstances(client(), "wordcount-7")).toEqual([]);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it("retries throttled calls", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(awsError("RequestLimitExceeded"))
      .resolves(described(["i-1", "running"]));
    ec2.on(TerminateInstancesCommand).resolves({});
    const sleepsMs: number[] = [];
    const ids = await terminateRunInstances(client(), "wordcount-7", {
      sleep: async (ms) => {
        sleepsMs.push(ms);
      },
      random: () => 0,
    });
    expect(ids).toEqual(["i-1"]);
    expect(sleepsMs).toEqual([250]);
  });
});
