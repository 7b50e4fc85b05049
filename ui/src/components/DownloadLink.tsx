import { App, Button } from "antd";
import { download } from "../api/client";
import { problemTitle } from "./problems";

/** A file of the API saved as the browser's own download; a refusal (gone, expired, the
 * session ended) is said with the server's message. */
export function DownloadLink({ path, name, className }: { path: string; name: string; className?: string }) {
  const { message } = App.useApp();
  const onClick = () =>
    download(path, name).catch((error: unknown) => {
      void message.error(problemTitle(error));
    });
  return (
    <Button type="link" size="small" className={className} onClick={onClick}>
      {name}
    </Button>
  );
}

/** Where the admin API serves one file of a share (F8, A7). */
export function sharedFilePath(code: string, shareId: string, fileId: string): string {
  const part = encodeURIComponent;
  return `/api/v1/facilities/${part(code)}/shares/${part(shareId)}/files/${part(fileId)}`;
}
