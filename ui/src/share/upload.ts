// The upload of the users' page (F1): what the browser can refuse before sending, and the
// one multipart request — `manifest` first, then the files in order — with its progress.
import { uploadWithProgress } from "../api/transfers";
import { hasHiddenCharacters, PURPOSE_ALLOWED } from "../components/hiddenText";
import { type Share, userCsrfToken, userSessionEnded } from "./api";
import { shareMessages } from "./messages";

export const MAX_FILES = 5;
export const MAX_TOTAL_BYTES = 99 * 1024 * 1024;
export const MAX_PURPOSE = 200;

type Named = { name: string; size: number };

/** Why these files and this purpose cannot be sent (empty: they can). */
export function refusals(files: readonly Named[], purpose: string): string[] {
  const t = shareMessages.upload;
  const found: string[] = [];
  if (files.length === 0) found.push(t.noFiles);
  if (files.length > MAX_FILES) found.push(t.tooMany);
  if (files.reduce((sum, f) => sum + f.size, 0) > MAX_TOTAL_BYTES) found.push(t.tooLarge);
  if (files.some((f) => f.name.trim() === "")) found.push(t.emptyName);
  if (purpose.trim() === "") found.push(shareMessages.required(shareMessages.upload.purpose));
  if ([...purpose].length > MAX_PURPOSE) found.push(t.purposeMax);
  if (files.some((f) => hasHiddenCharacters(f.name))) found.push(t.nameHidden);
  if (hasHiddenCharacters(purpose, PURPOSE_ALLOWED)) found.push(t.purposeHidden);
  return found;
}

/** Sizes as people read them: 1,234 B, 12.3 KB, 98.5 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString("ja-JP")} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Send the files; `onProgress` gets the fraction sent (0–1). */
export function sendUpload(
  files: readonly File[],
  purpose: string,
  onProgress: (fraction: number) => void,
): Promise<Share> {
  const form = new FormData();
  const manifest = { purpose: purpose.trim(), files: files.map((f) => ({ name: f.name, size: f.size })) };
  // A string part: a Blob would carry a filename ("blob") and be taken for a file.
  form.append("manifest", JSON.stringify(manifest));
  for (const file of files) form.append("files", file, file.name);
  return uploadWithProgress<Share>({
    url: "/user-api/v1/shares",
    form,
    csrfToken: userCsrfToken(),
    onProgress: (sent, total) => onProgress(sent / total),
    onUnauthorized: userSessionEnded,
  });
}
