/**
 * CPU accounting from /proc (Linux): CPU seconds of one process (etcd, a writer), busy CPU seconds
 * of the whole machine, and the load average. Off Linux every reader returns undefined and the
 * report shows "n/a" instead of server CPU and machine load.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second of /proc/<pid>/stat and /proc/stat (`getconf CLK_TCK`: 100 on Linux x86-64 and arm64). */
export const CLK_TCK = 100;

/** CPU seconds (user + system) used so far by process `pid`, or undefined when it cannot be read. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine so far (user + nice + system + irq + softirq + steal), or undefined. */
export function machineBusySeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const v = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = v;
    return (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average (/proc/loadavg), or undefined. */
export function loadAverage(): number | undefined {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** Cores busy on the whole machine over the next `ms` milliseconds (undefined off Linux). */
export async function busyCores(ms: number): Promise<number | undefined> {
  const b0 = machineBusySeconds();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b1 = machineBusySeconds();
  if (b0 === undefined || b1 === undefined) return undefined;
  return (b1 - b0) / ((performance.now() - t0) / 1000);
}

/**
 * A measurement window over the machine and the etcd process. `end(ownCpuSeconds, otherCpuSeconds)`
 * gives etcd's CPU seconds in the window and the "foreign" load: cores used by everything that is
 * neither this process (`ownCpuSeconds`), nor etcd, nor the processes counted in `otherCpuSeconds`
 * (a watch writer), averaged over the window.
 */
export function cpuWindow(etcdPid: number | undefined): {
  end(ownCpuSeconds: number, otherCpuSeconds?: number): { seconds: number; etcdCpuSeconds: number | undefined; foreignCores: number | undefined };
} {
  const m0 = machineBusySeconds();
  const e0 = processCpuSeconds(etcdPid);
  const t0 = performance.now();
  return {
    end(ownCpuSeconds, otherCpuSeconds = 0) {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineBusySeconds();
      const e1 = processCpuSeconds(etcdPid);
      const etcdCpuSeconds = e0 === undefined || e1 === undefined ? undefined : e1 - e0;
      const foreignCores =
        m0 === undefined || m1 === undefined
          ? undefined
          : Math.max(0, (m1 - m0 - ownCpuSeconds - otherCpuSeconds - (etcdCpuSeconds ?? 0)) / seconds);
      return { seconds, etcdCpuSeconds, foreignCores };
    },
  };
}

/** This process's CPU seconds (user + system) so far. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
