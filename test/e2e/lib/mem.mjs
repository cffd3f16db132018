// Peak memory of this process and everything it started (code-server, extension host,
// chromium), sampled from /proc every `intervalMs`. Linux only; a no-op elsewhere.
import fs from 'node:fs';

function descendants(root) {
  const parent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

function sample(root) {
  let pss = 0;
  let rss = 0;
  let procs = 0;
  for (const pid of descendants(root)) {
    try {
      for (const line of fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
        if (line.startsWith('Pss:')) pss += Number(line.split(/\s+/)[1]);
        else if (line.startsWith('Rss:')) rss += Number(line.split(/\s+/)[1]);
      }
      procs++;
    } catch {
      /* gone or not readable */
    }
  }
  return { pssMb: pss / 1024, rssMb: rss / 1024, procs };
}

export function startMemSampler({ intervalMs = 1000 } = {}) {
  const peak = { pssMb: 0, rssMb: 0, procs: 0 };
  if (process.platform !== 'linux' || !fs.existsSync(`/proc/${process.pid}/smaps_rollup`)) return { stop: () => undefined };
  const timer = setInterval(() => {
    const s = sample(process.pid);
    peak.pssMb = Math.max(peak.pssMb, s.pssMb);
    peak.rssMb = Math.max(peak.rssMb, s.rssMb);
    peak.procs = Math.max(peak.procs, s.procs);
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return { pssMb: Math.round(peak.pssMb), rssMb: Math.round(peak.rssMb), procs: peak.procs };
    },
  };
}
