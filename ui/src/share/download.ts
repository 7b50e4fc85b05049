// A file of a share saved as the browser's own download. Through the user API and its own
// "session ended" (api/client.ts's `download` reports to the admin console), so the
// second-password guard sees its problem.
import { saveDownload } from "../api/transfers";
import { userSessionEnded } from "./api";

export function downloadShareFile(shareId: string, fileId: string, name: string): Promise<void> {
  const path = `/user-api/v1/shares/${encodeURIComponent(shareId)}/files/${encodeURIComponent(fileId)}`;
  return saveDownload(path, name, userSessionEnded);
}
