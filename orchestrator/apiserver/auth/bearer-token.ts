/**
 * The token of an `Authorization: Bearer <token>` header, extracted as kube-apiserver's
 * bearer-token authenticator does (the scheme matched case-insensitively); undefined when the
 * header is absent, is no bearer header or carries an empty token.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1]!;
  return token === '' ? undefined : token;
}
