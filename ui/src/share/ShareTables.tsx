import { App, Button, Table, type TableColumnsType } from "antd";
import dayjs from "dayjs";
import type { Share } from "./api";
import { downloadShareFile } from "./download";
import { shareMessages as t } from "./messages";
import { useSecondPasswordGuard } from "./SecondPassword";
import { formatSize } from "./upload";

const c = t.columns;
const when = (iso: string | null) => (iso ? dayjs(iso).format("YYYY/MM/DD HH:mm") : "---");

const common: TableColumnsType<Share> = [
  { title: c.uploadedAt, dataIndex: "uploaded_at", render: when, width: 150 },
  { title: c.purpose, dataIndex: "purpose" },
  { title: c.size, dataIndex: "total_size", render: formatSize, width: 100 },
  { title: c.scan, dataIndex: "scan_label", width: 110 },
];

/** The share's file names, each a link only when the server says it can be downloaded
 * (clean, allowed and within the period, F3, F4, F7). */
function FileNames({ share }: { share: Share }) {
  const guard = useSecondPasswordGuard();
  const { message } = App.useApp();
  const fetchFile = (fileId: string, name: string) =>
    guard(() => downloadShareFile(share.share_id, fileId, name)).catch(
      (e: unknown) => void message.error(e instanceof Error ? e.message : String(e)),
    );
  return (
    <ul className="share-file-links">
      {share.files.map((f) => (
        <li key={f.file_id}>
          {f.downloadable ? (
            <Button
              type="link"
              size="small"
              aria-label={t.download(f.name)}
              onClick={() => void fetchFile(f.file_id, f.name)}
            >
              {f.name}
            </Button>
          ) : (
            <span>
              {f.name}
              {share.files_deleted ? ` (${t.deleted})` : ""}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

const fileNames: TableColumnsType<Share>[number] = {
  title: c.files,
  key: "files",
  render: (_, share) => <FileNames share={share} />,
};

/** 「共有したファイル」: what the user uploaded, its scan and its approval (F3, F4); once
 * clean and available or approved, the user can download it back (F7). */
export function MyShares({ shares }: { shares: Share[] }) {
  const columns: TableColumnsType<Share> = [
    common[0]!,
    fileNames,
    ...common.slice(1),
    { title: c.approval, dataIndex: "approval", render: (a: string) => t.approval[a] ?? a, width: 90 },
  ];
  return (
    <Table<Share>
      rowKey="share_id"
      columns={columns}
      dataSource={shares}
      pagination={false}
      size="small"
      locale={{ emptyText: <span className="muted">{t.mine.empty}</span> }}
    />
  );
}

/** 「受け取ったファイル」: what admins shared with the user. */
export function ReceivedShares({ shares }: { shares: Share[] }) {
  const columns: TableColumnsType<Share> = [
    common[0]!,
    fileNames,
    ...common.slice(1),
    { title: c.expires, dataIndex: "expires_at", render: when, width: 150 },
  ];
  return (
    <Table<Share>
      rowKey="share_id"
      columns={columns}
      dataSource={shares}
      pagination={false}
      size="small"
      locale={{ emptyText: <span className="muted">{t.received.empty}</span> }}
    />
  );
}
