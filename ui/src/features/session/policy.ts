// The password policy of SPEC L1, checked in the browser only to guide the admin while
// typing; the server checks it again and its answer is what counts.
export type PolicyRule = "length" | "classes" | "account";

const CLASSES = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** The account's name part: `998-hanako@example.jp` → `hanako`. */
export function accountName(account: string): string {
  const local = account.split("@")[0] ?? "";
  const dash = local.indexOf("-");
  return dash >= 0 ? local.slice(dash + 1) : local;
}

/** Which rules `password` meets (the rule "different from the current" only the server knows). */
export function policyState(password: string, account: string): Record<PolicyRule, boolean> {
  const length = [...password].length;
  const classes = CLASSES.filter((re) => re.test(password)).length;
  const name = accountName(account).toLowerCase();
  return {
    length: length >= 12 && length <= 128,
    classes: classes >= 3,
    account: password.length > 0 && (name === "" || !password.toLowerCase().includes(name)),
  };
}
