// Scalar cards in sections by tag prefix, as TensorBoard groups them: `loss/train` and
// `loss/val` under `loss`; a tag without a '/' is its own section.

export function tagGroups(tags: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const tag of tags) {
    const slash = tag.indexOf('/');
    const group = slash > 0 ? tag.slice(0, slash) : tag;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(tag);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}
