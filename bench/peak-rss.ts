/**
 * Preloaded into the exporter and gateway child processes by the pipeline bench
 * (`node --require dist/bench/peak-rss.js dist/cli/main.js …`): on exit, writes the process's
 * peak resident set size in KiB (`getrusage` maxRSS, the kernel's VmHWM) to the file named by
 * `ENDPOINT_BENCH_PEAK_RSS_FILE`. Without that variable it does nothing.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.ENDPOINT_BENCH_PEAK_RSS_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // The bench falls back to the VmHWM it polled from /proc.
    }
  });
}
