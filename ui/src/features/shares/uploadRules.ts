// What the browser can tell about an upload before sending a byte (F1). The server checks
// all of it again on the manifest; this only spares a doomed 99 MB request.
import { hasHiddenCharacters, PURPOSE_ALLOWED } from "../../components/hiddenText";
import { shareMessages } from "./messages";

const t = shareMessages.upload;

export const MAX_FILES = 5;
/** 99 MB together, as the server counts it (103,809,024 bytes). */
export const MAX_TOTAL_BYTES = 99 * 1024 * 1024;
export const MAX_PURPOSE = 200;

type Sized = { name: string; size: number };

/** Why these files cannot go together, or null when they can. */
export function filesProblem(files: readonly Sized[]): string | null {
  if (files.length === 0) return t.noFiles;
  if (files.length > MAX_FILES) return t.tooMany;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_TOTAL_BYTES) return t.tooLarge;
  return files.some((file) => hasHiddenCharacters(file.name)) ? t.nameHidden : null;
}

/** Why this 共有目的 cannot be sent, or null. Characters as the server counts them
 * (code points), not UTF-16 units. */
export function purposeProblem(purpose: string): string | null {
  if (!purpose.trim()) return t.purposeRequired;
  if ([...purpose].length > MAX_PURPOSE) return t.purposeTooLong;
  return hasHiddenCharacters(purpose, PURPOSE_ALLOWED) ? t.purposeHidden : null;
}
