// What 「ユーザー登録完了」 shows once (U2, U4): never cached, never shown again.
import { userMessages } from "./messages";

const t = userMessages.done;

export type Secrets = {
  account: string;
  /** A new user's, or after 「パスワードをリセットする」. */
  initialPassword?: string | undefined;
  /** A new user's, or after 「第二パスワードをリセットする」: a reset gives only what it resets. */
  secondPassword?: string | undefined;
};

/** The lines of the dialog, label and value, in the manual's order. */
export function secretLines(secrets: Secrets): [string, string][] {
  const lines: [string, string][] = [[t.account, secrets.account]];
  if (secrets.initialPassword) lines.push([t.initialPassword, secrets.initialPassword]);
  if (secrets.secondPassword) lines.push([t.secondPassword, secrets.secondPassword]);
  return lines;
}

/** 「コピー」: the whole dialog as one block of text, to paste into a notice to the user. */
export function secretsText(secrets: Secrets): string {
  return secretLines(secrets)
    .map(([label, value]) => `${label}: ${value}`)
    .join("\n");
}
