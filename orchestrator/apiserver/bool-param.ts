/**
 * A boolean query parameter as kube-apiserver decodes one (Convert_Slice_string_To_bool): absent
 * is false; present, its first value is false only when it is `0` or `false` in any case, and
 * true otherwise — `true`, `True`, `1`, `yes` and the empty value alike.
 */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const value = q.get(name);
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}
