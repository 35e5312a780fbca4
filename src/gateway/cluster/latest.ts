// Whether the cached copy of a remote object is still the remote's version, decided the way AIStore does
// it (cmn/objattrs.go ObjAttrs.CheckEq, called by core/ldp.go CheckRemoteMD and LoadLatest): sizes that
// differ are a change; then the ETags decide (quotes aside); with nothing to compare by, the two are taken
// as different. The remote's version id is not compared: the copy keeps no remote version (the gateway's
// own is a write counter), and S3 listings carry none.

/** What a version check compares: a copy's recorded attributes, or what the remote lists or HEADs. */
export interface VersionAttrs {
  size: number;
  etag: string;
}

const unquote = (s: string) => s.replace(/^"|"$/g, '');

/** Why `copy` is not the remote's version, in CheckEq's words; undefined when it is. */
export function versionChange(copy: VersionAttrs, remote: VersionAttrs): string | undefined {
  if (copy.size !== 0 && remote.size !== 0 && copy.size !== remote.size) return `size ${copy.size} != ${remote.size} remote`;
  const local = unquote(copy.etag);
  const theirs = unquote(remote.etag);
  if (local && theirs) return local === theirs ? undefined : `ETag ${local} != ${theirs} remote`;
  return `local (ETag:${local}) vs remote (ETag:${theirs})`;
}
