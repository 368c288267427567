// Peak memory of this process and of a process tree (a `hardhat node` and any process it spawned), sampled
// from /proc/<pid>/status: VmRSS (resident now) and VmHWM (the kernel's own resident high-water mark), and
// from /proc/<pid>/smaps_rollup: LazyFree. Hardhat's EVM (EDR) allocates with mimalloc, which hands freed
// pages back with MADV_FREE: they stay counted in VmRSS until the kernel needs them, so VmRSS grows by
// hundreds of MiB per heavy transaction although the memory is free. Live = VmRSS − LazyFree is what the
// process actually holds.
import { readdirSync, readFileSync } from "fs";

/** Resident, peak-resident and live (resident minus lazily freed) kB of one process, or undefined once it is gone. */
export function procMemory(pid: number): { rssKiB: number; hwmKiB: number; liveKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = kiB(status, "VmRSS");
    return { rssKiB: rss, hwmKiB: kiB(status, "VmHWM"), liveKiB: rss - lazyFreeKiB(pid) };
  } catch {
    return undefined;
  }
}

// LazyFree kB of a process; 0 where the kernel has no smaps_rollup (before Linux 4.14) or the process just ended.
function lazyFreeKiB(pid: number): number {
  try {
    return kiB(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "LazyFree");
  } catch {
    return 0;
  }
}

/** The kB value of field `name` in a /proc key-value file (0 when absent). */
function kiB(text: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
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

/** Peaks seen by a sampler, in MiB (live: resident minus lazily freed pages). */
export interface MemoryPeaks {
  driverRssMiB: number;
  driverHwmMiB: number;
  driverLiveMiB: number;
  nodeRssMiB: number;
  nodeHwmMiB: number;
  nodeLiveMiB: number;
  samples: number;
  intervalMs: number;
}

/** Samples the driver (this process) and the node's process tree every `intervalMs` until stopped. */
export function sampleMemory(nodePid: number | undefined, intervalMs = 1000): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { driverRssMiB: 0, driverHwmMiB: 0, driverLiveMiB: 0, nodeRssMiB: 0, nodeHwmMiB: 0, nodeLiveMiB: 0, samples: 0, intervalMs };
  const tick = (): void => {
    const self = procMemory(process.pid);
    if (self) {
      peaks.driverRssMiB = Math.max(peaks.driverRssMiB, self.rssKiB / 1024);
      peaks.driverHwmMiB = Math.max(peaks.driverHwmMiB, self.hwmKiB / 1024);
      peaks.driverLiveMiB = Math.max(peaks.driverLiveMiB, self.liveKiB / 1024);
    }
    if (nodePid !== undefined) {
      let rss = 0;
      let live = 0;
      for (const pid of processTree(nodePid)) {
        const m = procMemory(pid);
        if (!m) continue;
        rss += m.rssKiB;
        live += m.liveKiB;
        peaks.nodeHwmMiB = Math.max(peaks.nodeHwmMiB, m.hwmKiB / 1024);
      }
      peaks.nodeRssMiB = Math.max(peaks.nodeRssMiB, rss / 1024);
      peaks.nodeLiveMiB = Math.max(peaks.nodeLiveMiB, live / 1024);
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
      const rounded = Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v)]));
      return { ...peaks, ...rounded };
    },
  };
}
