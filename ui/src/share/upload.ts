// The upload of the users' page (F1): what the browser can refuse before sending, and the
// one multipart request — `manifest` first, then the files in order — sent with
// XMLHttpRequest because fetch reports no upload progress.
import { ApiError, type Share, userCsrfToken, userSessionEnded } from "./api";
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
  return found;
}

/** Sizes as people read them: 1,234 B, 12.3 KB, 98.5 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString("ja-JP")} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const NETWORK = "サーバーに接続できません。ネットワークの状態を確認して、もう一度お試しください。";

function failure(xhr: XMLHttpRequest): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = null;
  }
  if (typeof body === "object" && body !== null && "code" in body && "title" in body) {
    const problem = body as ApiError["problem"];
    return new ApiError({ ...problem, errors: problem.errors ?? [] });
  }
  const status = xhr.status;
  const title = status === 0 ? NETWORK : "サービスが一時的に利用できません。";
  return new ApiError({ type: "about:blank", status, code: status === 0 ? "network" : "unavailable", title, errors: [] });
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
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/user-api/v1/shares");
    xhr.withCredentials = true;
    const csrf = userCsrfToken();
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        resolve(JSON.parse(xhr.responseText) as Share);
        return;
      }
      if (xhr.status === 401) userSessionEnded();
      reject(failure(xhr));
    };
    xhr.onerror = () => reject(failure(xhr));
    xhr.send(form);
  });
}
