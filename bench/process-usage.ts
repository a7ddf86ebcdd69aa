// CPU and memory of another process from /proc (Linux), so a bench measures a child exporter alone.
import { readFileSync } from 'node:fs';

/** utime + stime of a process (all its threads, pool workers included) in seconds, and its resident set. */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Clock ticks: USER_HZ is 100 on Linux for every architecture Node supports.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024 };
}
