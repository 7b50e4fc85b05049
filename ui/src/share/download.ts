// A file of a share saved as the browser's own download. Not api/client.ts's `download`:
// that one reports an ended session to the admin console, and this one must let the
// second-password guard see its problem.
import { ApiError, userSessionEnded } from "./api";

export async function downloadShareFile(shareId: string, fileId: string, name: string): Promise<void> {
  const path = `/user-api/v1/shares/${encodeURIComponent(shareId)}/files/${encodeURIComponent(fileId)}`;
  let response: Response;
  try {
    response = await fetch(path, { credentials: "same-origin" });
  } catch {
    throw new ApiError({
      type: "about:blank",
      status: 0,
      code: "network",
      title: "サーバーに接続できません。ネットワークの状態を確認して、もう一度お試しください。",
      errors: [],
    });
  }
  if (!response.ok) {
    if (response.status === 401) userSessionEnded();
    const body = (await response.json().catch(() => null)) as ApiError["problem"] | null;
    throw new ApiError(
      body?.code
        ? { ...body, errors: body.errors ?? [] }
        : { type: "about:blank", status: response.status, code: "unavailable", title: "サービスが一時的に利用できません。", errors: [] },
    );
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
