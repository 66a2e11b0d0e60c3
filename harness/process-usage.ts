// What a running process uses, read from Linux's /proc: resident memory and CPU time. A process that
// exits between the caller's check and the read reads as nothing.
import { readFileSync } from 'node:fs';

/** Resident set size in kB (`/proc/<pid>/status`), or undefined once it has gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time used so far, user and system, in seconds (Linux counts it in 1/100 s); 0 once it has gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: count the fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
