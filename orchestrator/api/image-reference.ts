/**
 * The repository of an image reference, without tag, digest or Docker Hub prefix:
 * `docker.io/crucible/echo:v2@sha256:…` → `crucible/echo`. A registry port (`host:5000/x`) is
 * not mistaken for a tag. '' for a reference with white space around it, which is no reference.
 */
export function imageRepository(image: string): string {
  if (image !== image.trim()) return '';
  let repo = image;
  const at = repo.indexOf('@');
  if (at >= 0) repo = repo.slice(0, at);
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) repo = repo.slice(0, colon);
  for (const prefix of ['docker.io/library/', 'docker.io/', 'index.docker.io/'])
    if (repo.startsWith(prefix)) return repo.slice(prefix.length);
  return repo;
}
