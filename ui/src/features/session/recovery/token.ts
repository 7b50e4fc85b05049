/** The token of a mailed link: it comes in the address's fragment (`#token=…`), which the
 * browser never sends to the server (decision 0020). Empty when missing or malformed. */
export function tokenFromHash(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const token = params.get("token") ?? "";
  return /^[A-Za-z0-9_-]{1,128}$/.test(token) ? token : "";
}
