// Peak memory of this process and of a process tree (a `hardhat node` and any process it spawned), sampled
// from /proc/<pid>/status: VmRSS (resident now) and VmHWM (the kernel's own resident high-water mark).
import { readdirSync, readFileSync } from "fs";

/** Resident and peak-resident kB of one process, or undefined once it is gone. */
export function procMemory(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number => Number(/^(\w+):\s+(\d+)/m.exec(status.split("\n").find((l) => l.startsWith(name + ":")) ?? "")?.[2] ?? 0);
    return { rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
  } catch {
    return undefined;
  }
}

/** `pid` and all its descendants (from the parent ids in /proc/<pid>/stat). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** Peaks seen by a sampler, in MiB. */
export interface MemoryPeaks {
  driverRssMiB: number;
  driverHwmMiB: number;
  nodeRssMiB: number;
  nodeHwmMiB: number;
  samples: number;
  intervalMs: number;
}

/** Samples the driver (this process) and the node's process tree every `intervalMs` until stopped. */
export function sampleMemory(nodePid: number | undefined, intervalMs = 1000): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { driverRssMiB: 0, driverHwmMiB: 0, nodeRssMiB: 0, nodeHwmMiB: 0, samples: 0, intervalMs };
  const tick = (): void => {
    const self = procMemory(process.pid);
    if (self) {
      peaks.driverRssMiB = Math.max(peaks.driverRssMiB, self.rssKiB / 1024);
      peaks.driverHwmMiB = Math.max(peaks.driverHwmMiB, self.hwmKiB / 1024);
    }
    if (nodePid !== undefined) {
      let rss = 0;
      for (const pid of processTree(nodePid)) {
        const m = procMemory(pid);
        if (!m) continue;
        rss += m.rssKiB;
        peaks.nodeHwmMiB = Math.max(peaks.nodeHwmMiB, m.hwmKiB / 1024);
      }
      peaks.nodeRssMiB = Math.max(peaks.nodeRssMiB, rss / 1024);
    }
    peaks.samples++;
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      const round = (x: number): number => Math.round(x);
      return { ...peaks, driverRssMiB: round(peaks.driverRssMiB), driverHwmMiB: round(peaks.driverHwmMiB), nodeRssMiB: round(peaks.nodeRssMiB), nodeHwmMiB: round(peaks.nodeHwmMiB) };
    },
  };
}
