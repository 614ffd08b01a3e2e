/**
 * Preloaded into the exporter and gateway child processes by the pipeline bench
 * (`node --require dist/bench/peak-rss.js dist/cli/main.js …`): on exit, writes the process's
 * peak resident set size in KiB to the file named by `ENDPOINT_BENCH_PEAK_RSS_FILE`: VmHWM from
 * /proc/self/status, the high-water mark of this program's own memory. Not getrusage's maxRSS:
 * Linux carries the parent's high-water mark into a child's maxRSS across fork and exec, so every
 * child the bench started after loading a size's documents reported the bench's own peak
 * (≈ 320 MB at 10,000 patients). Without the variable it does nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** VmHWM in KiB, or getrusage's maxRSS where /proc does not say. */
function peakKib(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.ENDPOINT_BENCH_PEAK_RSS_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(peakKib()));
    } catch {
      // The bench falls back to the VmHWM it polled from /proc.
    }
  });
}
