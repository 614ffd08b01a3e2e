/**
 * The Node flags the long-running commands (`gateway start`, `export run`, `export schedule`)
 * are started with, in one place: the systemd units and the crontab carry them (a test keeps
 * them in step), and so should anything else that starts those commands.
 *
 * Why a heap limit: V8 lets the old generation grow to `factor × live heap` before a full
 * collection and picks the factor from the heap limit: 4.0 when the limit is 2 GB or more
 * (Node's default is a quarter of the RAM, up to about 4 GB), 1.3 to 2.0 below. Both commands
 * keep a small live heap (exporter ≈ 26 MB; gateway ≈ 18 MB plus ≈ 1 KB per stored patient for
 * the hub's projection) and churn through documents, so with the default a long run left up to
 * ≈ 90 MB of garbage in old space before collecting it, and peak RSS grew with the length of the
 * run. At 1,024 MB the factor is 1.6 and peak RSS stays flat in the patient count, while the
 * heaviest accepted input still fits with room to spare: sixteen documents at the size limit
 * and the markup density budget at once took ≈ 570 MB of heap (at 256 MB, eight crashed it).
 * The limit cannot be set from inside the process: V8 sizes the heap when the process starts.
 */

/** The V8 old-space limit, in MB, of the long-running commands. */
export const HEAP_LIMIT_MB = 1024;

/** Node flags (before the script) of the long-running commands. */
export const LONG_RUNNING_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${HEAP_LIMIT_MB}`];
