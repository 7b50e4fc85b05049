// The admin's upload to a user (F8) as one XMLHttpRequest: fetch (and so openapi-fetch)
// cannot report how much of a request body has gone, and a 99 MB upload needs a progress
// bar. The body is the multipart form the API documents: `manifest` first, then the files.
import { ApiError, type Problem } from "../../api/client";
import type { operations } from "../../api/admin";

type Upload = operations["uploadShareToUser"];
export type Manifest = Upload["requestBody"]["content"]["multipart/form-data"]["manifest"];
export type SharedOut = Upload["responses"][201]["content"]["application/json"];

const NETWORK: Problem = {
  type: "about:blank",
  status: 0,
  code: "network",
  title: "サーバーに接続できません。ネットワークの状態を確認して、もう一度お試しください。",
  errors: [],
};

function problemOf(xhr: XMLHttpRequest): Problem {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    // Not JSON (a proxy's page): the stand-in below says the service is unavailable.
  }
  if (typeof body === "object" && body !== null && "code" in body && "title" in body) {
    const problem = body as Problem;
    return { ...problem, errors: problem.errors ?? [] };
  }
  return {
    type: "about:blank",
    status: xhr.status,
    code: "unavailable",
    title: "サービスが一時的に利用できません。しばらくしてからもう一度お試しください。",
    errors: [],
  };
}

export type UploadArgs = {
  code: string;
  csrfToken: string;
  recipient: string;
  purpose: string;
  files: readonly File[];
  /** Bytes sent so far and the body's total, as the browser reports them. */
  onProgress: (sent: number, total: number) => void;
  signal?: AbortSignal;
};

/** Send the upload; the share as created (201) or an ApiError with the server's problem. */
export function uploadToUser(args: UploadArgs): Promise<SharedOut> {
  const manifest: Manifest = {
    purpose: args.purpose,
    files: args.files.map((file) => ({ name: file.name, size: file.size })),
    recipient: args.recipient,
  };
  const form = new FormData();
  // A plain field, not a Blob: a Blob part carries a filename, and a part with a filename
  // is a file to the server, not the manifest.
  form.append("manifest", JSON.stringify(manifest));
  for (const file of args.files) form.append("files", file, file.name);

  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/facilities/${encodeURIComponent(args.code)}/shares`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", args.csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) args.onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) resolve(JSON.parse(xhr.responseText) as SharedOut);
      else reject(new ApiError(problemOf(xhr)));
    };
    xhr.onerror = () => reject(new ApiError(NETWORK));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    args.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
