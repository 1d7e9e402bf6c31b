/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the service's CPU time went,
 * grouped by package and by function, so the bench can say what stands between the service and
 * its targets without opening DevTools.
 */

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Share of all sampled time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Left out of the shares below: loading modules at boot, before the first request. */
  startupMs: number;
  /** Self time by package (`fastify`, `@nestjs/core`, `node:` internals, `app:<folder>`, …). */
  byPackage: ProfileEntry[];
  /** Self time by function. */
  selfTime: ProfileEntry[];
  /** Time including callees, for the service's own functions (its request path). */
  inclusive: ProfileEntry[];
}

/** Which package a frame's script belongs to. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return 'node: internals';
  const inDist = /\/dist\/([^/]+)/.exec(url);
  if (inDist) return `app:${inDist[1].replace(/\.js$/, '')}`;
  return url;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const path = frame.url.replace(/^file:\/\//, '');
  // A package's own path (fastify/lib/…) or the service's build output (dist/…).
  const file = path.includes('node_modules/')
    ? path.replace(/.*node_modules\//, '')
    : path.replace(/.*\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

function top(totals: Map<string, number>, all: number, limit: number): ProfileEntry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => ({ name, percent: Math.round((1000 * micros) / all) / 10 }));
}

export function summarizeProfile(profile: CpuProfile, limit = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // Samples taken while a module was being loaded are boot time, not request handling.
  const loading = new Map<number, boolean>();
  const isLoading = (id: number): boolean => {
    const known = loading.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const parentId = parent.get(id);
    const result =
      node.callFrame.url.startsWith('node:internal/modules/') ||
      (parentId !== undefined && isLoading(parentId));
    loading.set(id, result);
    return result;
  };
  const selfByNode = new Map<number, number>();
  let total = 0;
  let startup = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    if (isLoading(id)) {
      startup += delta;
      return;
    }
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
    total += delta;
  });

  const byPackage = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfByNode) {
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    self.set(name, (self.get(name) ?? 0) + micros);
    // Count each function once per stack, so recursion does not inflate its inclusive time.
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const frame = byId.get(current)!.callFrame;
      if (!packageOf(frame.url, frame.functionName).startsWith('app:')) continue;
      const ancestor = frameName(frame);
      if (seen.has(ancestor)) continue;
      seen.add(ancestor);
      inclusive.set(ancestor, (inclusive.get(ancestor) ?? 0) + micros);
    }
  }
  const all = Math.max(1, total);
  return {
    totalMs: Math.round(total / 1000),
    startupMs: Math.round(startup / 1000),
    byPackage: top(byPackage, all, limit),
    selfTime: top(self, all, limit),
    inclusive: top(inclusive, all, limit),
  };
}

export function formatProfileSummary(summary: ProfileSummary, limit = 15): string {
  const list = (entries: ProfileEntry[]) =>
    entries
      .slice(0, limit)
      .map((entry) => `  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`)
      .join('\n');
  return [
    `sampled ${summary.totalMs} ms (and ${summary.startupMs} ms of module loading, left out)`,
    'self time by package:',
    list(summary.byPackage),
    'self time by function:',
    list(summary.selfTime),
    'inclusive time, service code:',
    list(summary.inclusive),
  ].join('\n');
}
