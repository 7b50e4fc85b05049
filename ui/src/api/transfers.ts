// The two requests openapi-fetch cannot make, for both surfaces (the admins' console and
// the users' page): a file saved as the browser's own download, and an upload that reports
// its progress (fetch reports none for a request body; a 99 MB upload needs a bar).
// Failures are ApiErrors, as `call`'s are.
import { ApiError, NETWORK, problemOf } from "./problem";

/** The file the server answers to GET `path`, saved under the name its Content-Disposition
 * gives (else `fallbackName`). `onUnauthorized`: the surface's "session ended". */
export async function saveDownload(
  path: string,
  fallbackName: string,
  onUnauthorized?: () => void,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: "same-origin" });
  } catch {
    throw new ApiError(NETWORK);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    if (response.status === 401) onUnauthorized?.();
    throw new ApiError(problemOf(body, response.status));
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName(response.headers.get("content-disposition") ?? "", fallbackName);
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name of a Content-Disposition header (RFC 6266's `filename*` first). */
export function fileName(disposition: string, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? fallback);
}

export type Upload = {
  url: string;
  /** The multipart body as the API documents it (`manifest` first, then the files). */
  form: FormData;
  csrfToken: string | null;
  /** Bytes sent so far and the body's total, as the browser reports them. */
  onProgress: (sent: number, total: number) => void;
  signal?: AbortSignal;
  onUnauthorized?: () => void;
};

/** POST the form; the JSON the server answers with 201, or an ApiError with its problem. */
export function uploadWithProgress<T>(upload: Upload): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.withCredentials = true;
    if (upload.csrfToken) xhr.setRequestHeader("X-CSRF-Token", upload.csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) upload.onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) return resolve(JSON.parse(xhr.responseText) as T);
      if (xhr.status === 401) upload.onUnauthorized?.();
      reject(new ApiError(problemOf(parsed(xhr.responseText), xhr.status)));
    };
    xhr.onerror = () => reject(new ApiError(NETWORK));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    upload.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(upload.form);
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // not JSON (a proxy's page): problemOf says the service is unavailable
  }
}
