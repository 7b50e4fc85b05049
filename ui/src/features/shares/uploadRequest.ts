// The admin's upload to a user (F8), with its progress: the multipart form the API
// documents, `manifest` first, then the files.
import { uploadWithProgress } from "../../api/transfers";
import type { operations } from "../../api/admin";

type Upload = operations["uploadShareToUser"];
export type Manifest = Upload["requestBody"]["content"]["multipart/form-data"]["manifest"];
export type SharedOut = Upload["responses"][201]["content"]["application/json"];

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

  return uploadWithProgress<SharedOut>({
    url: `/api/v1/facilities/${encodeURIComponent(args.code)}/shares`,
    form,
    csrfToken: args.csrfToken,
    onProgress: args.onProgress,
    signal: args.signal,
  });
}
