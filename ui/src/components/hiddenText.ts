// The server's rule on text a person reads and trusts (libs/text/hidden.py, issue 16): no
// control (Cc) or format (Cf) character, such as a right-to-left override that shows
// `invoice\u202egnp.exe` as `invoiceexe.png`. Checked here only to say so before sending.

const HIDDEN = /[\p{Cc}\p{Cf}]/u;

/** Whether `text` holds a control or format character other than those in `allowed`. */
export function hasHiddenCharacters(text: string, allowed = ""): boolean {
  return [...text].some((c) => !allowed.includes(c) && HIDDEN.test(c));
}

/** The one control character a 共有目的 may hold: it is typed in a text area. */
export const PURPOSE_ALLOWED = "\n";
