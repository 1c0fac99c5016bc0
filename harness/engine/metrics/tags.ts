/**
 * Tag sets as interned, frozen objects: a sample carries a reference, never a fresh object. Each
 * set keeps its JSON (keys sorted, as k6 v2's stdlib encoder writes them, k6-contract.md §2.4)
 * and caches the sets derived from it (HTTP tags per method/url/status, group changes), so the hot
 * path does a map lookup instead of building objects.
 */

let nextId = 1;
/** Derived-set caches stay bounded: scripts with unbounded URL sets should use a `name` tag (as in k6). */
const MAX_CHILDREN = 4096;

export class TagSet {
  readonly id = nextId++;
  readonly tags: Readonly<Record<string, string>>;
  readonly json: string;
  /** The end of an NDJSON Point line carrying these tags. */
  readonly pointSuffix: string;
  private children: Map<string, TagSet> | undefined;
  /** Per-metric list of matching submetric sinks, filled by the metrics engine. */
  matchCache: Map<number, readonly unknown[]> | undefined;
  /** Free slot the metrics engine uses to remember the check node for `checks` samples. */
  aux: unknown;
  /** The id a threaded output gave this set, valid while `outputOwner` is that output. */
  outputId = 0;
  outputOwner: unknown;

  constructor(tags: Record<string, string>) {
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(tags).sort()) sorted[k] = tags[k] as string;
    this.tags = Object.freeze(sorted);
    this.json = JSON.stringify(sorted);
    this.pointSuffix = `,"tags":${this.json}}}\n`;
  }

  get(key: string): string | undefined {
    return this.tags[key];
  }

  /** The set plus/over `extra`, cached under `key` (the caller's cheap description of `extra`). */
  derive(key: string, extra: () => Record<string, string>): TagSet {
    let c = this.children;
    if (c === undefined) c = this.children = new Map();
    let t = c.get(key);
    if (t === undefined) {
      t = new TagSet({ ...this.tags, ...extra() });
      if (c.size < MAX_CHILDREN) c.set(key, t);
    }
    return t;
  }

  with(extra: Record<string, string>): TagSet {
    let key = '';
    for (const _ in extra) {
      key = '\u0001';
      break;
    }
    if (key === '') return this;
    key = '';
    for (const k in extra) key += `${k}\u0000${extra[k]}\u0001`;
    return this.derive(key, () => extra);
  }

  /** Does this set hold every tag of `sub` with the same value (k6 `TagSet.Contains`)? */
  contains(sub: Readonly<Record<string, string>>): boolean {
    for (const k in sub) if (this.tags[k] !== sub[k]) return false;
    return true;
  }
}

export const EMPTY_TAGS = new TagSet({});
