// CPU and memory of another process from /proc (Linux), so a bench measures a child exporter alone.
import { readFileSync } from 'node:fs';

/**
 * utime + stime of a process (all its threads, pool workers included) in seconds, its resident set, and the
 * highest resident set it has had (VmHWM: a peak no sampling misses).
 */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number; peakRssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Clock ticks: USER_HZ is 100 on Linux for every architecture Node supports.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024, peakRssBytes: peakKb * 1024 };
}
