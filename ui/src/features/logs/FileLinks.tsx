import { Button, Popover } from "antd";
import { logMessages } from "./messages";
import type { LogRow } from "./queries";
import { DownloadLink, sharedFilePath } from "../../components/DownloadLink";

type FileShareRow = Extract<LogRow, { log: "fileshare" }>;
type SharedFile = FileShareRow["files"][number];

const t = logMessages.files;

function FileLink({ code, shareId, file }: { code: string; shareId: string; file: SharedFile }) {
  const path = sharedFilePath(code, shareId, file.id);
  return <DownloadLink path={path} name={file.name} className="log-file-link" />;
}

/** ファイル名 of a clean, allowed share within its download period (A7): the first file is
 * a download link, 「_他N件」 opens the others' links; otherwise the cell's text. */
export function FileNames({ code, row, text }: { code: string; row: FileShareRow; text: string }) {
  const [first, ...others] = row.files;
  if (!row.downloadable || !first) return <span title={text}>{text}</span>;
  return (
    <span className="log-files">
      <FileLink code={code} shareId={row.share_id} file={first} />
      {others.length > 0 && (
        <Popover
          trigger="click"
          content={
            <ul className="log-file-list" aria-label={t.others}>
              {others.map((file) => (
                <li key={file.id}>
                  <FileLink code={code} shareId={row.share_id} file={file} />
                </li>
              ))}
            </ul>
          }
        >
          <Button type="link" size="small" aria-haspopup="dialog">
            {t.more(others.length)}
          </Button>
        </Popover>
      )}
    </span>
  );
}
