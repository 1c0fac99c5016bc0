/**
 * The group/check tree of the summary (`lib/test_state.go: GroupSummary`, k6-contract.md §1.3):
 * built only from `checks` and `group_duration` samples and their `group` tag, in order of first
 * appearance; paths join names with "::", the root path is "", ids are md5(path).
 */
import { createHash } from 'node:crypto';

export interface CheckNode {
  readonly name: string;
  readonly path: string;
  readonly id: string;
  passes: number;
  fails: number;
}

export interface GroupsSnapshot {
  groups: string[];
  checks: { group: string; name: string; passes: number; fails: number }[];
}

export interface GroupNode {
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly groups: GroupNode[];
  readonly checks: CheckNode[];
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export class GroupTree {
  readonly root: GroupNode = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  private readonly byPath = new Map<string, GroupNode>([['', this.root]]);
  private readonly checks = new Map<string, CheckNode>();

  group(path: string): GroupNode {
    let g = this.byPath.get(path);
    if (g) return g;
    const cut = path.lastIndexOf('::');
    const parent = this.group(cut <= 0 ? '' : path.slice(0, cut));
    const name = cut < 0 ? path : path.slice(cut + 2);
    g = { name, path, id: md5(path), groups: [], checks: [] };
    parent.groups.push(g);
    this.byPath.set(path, g);
    return g;
  }

  /** Groups (paths in order of appearance) and checks with counts, for merging across processes. */
  snapshot(): GroupsSnapshot {
    const groups: string[] = [];
    const walk = (g: GroupNode): void => {
      if (g.path !== '') groups.push(g.path);
      g.groups.forEach(walk);
    };
    walk(this.root);
    const checks = [...this.checks].map(([key, c]) => {
      const group = key.slice(0, key.indexOf('\u0000'));
      return { group, name: c.name, passes: c.passes, fails: c.fails };
    });
    return { groups, checks };
  }

  merge(s: GroupsSnapshot): void {
    for (const g of s.groups) this.group(g);
    for (const c of s.checks) {
      const node = this.check(c.group, c.name);
      node.passes += c.passes;
      node.fails += c.fails;
    }
  }

  check(groupPath: string, name: string): CheckNode {
    const key = `${groupPath}\u0000${name}`;
    let c = this.checks.get(key);
    if (c) return c;
    const g = this.group(groupPath);
    const path = `${groupPath}::${name}`;
    c = { name, path, id: md5(path), passes: 0, fails: 0 };
    g.checks.push(c);
    this.checks.set(key, c);
    return c;
  }
}
