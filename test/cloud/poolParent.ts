// A coordinator's process in miniature, for the local pool's tests: it starts one `seep
// worker` through a LocalProcessPool with `ha` and one through a pool without, prints
// `{"ha": {pid, address}, "plain": {pid, address}}` on one line, and waits to be killed
// (SIGKILL: nothing runs) or told to exit (SIGUSR2: it exits, its exit handlers run).
// Run as `node --import ./bin/register.js test/cloud/poolParent.ts`, SEEP_TOKEN set.

import { fileURLToPath } from "node:url";
import { LocalProcessPool } from "../../cloud/localProcessPool.js";

const bin = fileURLToPath(new URL("../../bin/seep.js", import.meta.url));
const token = process.env.SEEP_TOKEN ?? "";
const command = [process.execPath, bin, "worker"];
const ha = new LocalProcessPool({ command, token, ha: true });
const plain = new LocalProcessPool({ command, token });
const [haVm, plainVm] = await Promise.all([ha.acquire(), plain.acquire()]);
const describe = (pool: LocalProcessPool, vm: typeof haVm) => ({
  pid: pool.processOf(vm)?.pid,
  address: vm.address,
});
process.stdout.write(`${JSON.stringify({ ha: describe(ha, haVm), plain: describe(plain, plainVm) })}\n`);
process.on("SIGUSR2", () => process.exit(0));
setInterval(() => {}, 1000);
