// Machine load from /proc: busy CPU of the whole machine and of given processes, to compute the
// "foreign" load (everything that is not the measured client, nor etcd) during a window.
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux x86-64). */
const CLK_TCK = 100;

/** Machine-wide CPU seconds so far: busy (user+nice+system+irq+softirq) and steal. */
export function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8');
  const v = f.slice(0, f.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = v;
  return { busy: (user + nice + system + irq + softirq) / CLK_TCK, steal: steal / CLK_TCK };
}

/** CPU seconds (user+system) used so far by process `pid`; 0 when it is gone. */
export function processCpu(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Starts a window; `end(ownCpuSeconds)` returns cores used by others and etcd over it. */
export function startWindow(etcdPid) {
  const m0 = machineCpu();
  const e0 = etcdPid ? processCpu(etcdPid) : 0;
  const t0 = performance.now();
  return {
    end(ownCpuSeconds) {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineCpu();
      const etcd = etcdPid ? processCpu(etcdPid) - e0 : 0;
      return {
        seconds,
        etcdCores: etcd / seconds,
        foreignCores: (m1.busy - m0.busy - ownCpuSeconds - etcd) / seconds,
        stealCores: (m1.steal - m0.steal) / seconds,
      };
    },
  };
}

/** Cores used by everything on the machine over `ms` (for waiting until it is quieter). */
export async function sampleBusyCores(ms) {
  const m0 = machineCpu();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (machineCpu().busy - m0.busy) / ((performance.now() - t0) / 1000);
}
