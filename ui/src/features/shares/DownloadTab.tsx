import { ReloadOutlined } from "@ant-design/icons";
import { Button, Flex, Tag } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { useState } from "react";
import { DownloadLink, sharedFilePath } from "../../components/DownloadLink";
import { useSignedIn } from "../session/queries";
import { leadingColumns, trailingColumns } from "./columns";
import { approvalText, formatTime } from "./format";
import { shareMessages } from "./messages";
import { PAGE_SIZE, type ShareRow, useShareList } from "./queries";
import { SharesTable } from "./SharesTable";

const t = shareMessages.download;
const c = shareMessages.columns;

// Verdicts other than 脅威なし stand out; a solid dark colour keeps AA contrast.
const SCAN_COLOURS: Record<string, string | undefined> = {
  infected: "#b42318",
  unscannable: "#7a4d00",
};

type FileOut = ShareRow["files"][number];

/** A file's name: a download link only when the server says it may be downloaded now
 * (脅威なし, allowed, within the period; F3, F7); plain text otherwise. */
function FileName({ code, row, file }: { code: string; row: ShareRow; file: FileOut }) {
  if (!file.downloadable) return <span>{file.name}</span>;
  const path = sharedFilePath(code, row.share_id, file.file_id);
  return <DownloadLink path={path} name={file.name} className="share-file-link" />;
}

function columns(code: string): ColumnsType<ShareRow> {
  return [
    ...leadingColumns(),
    {
      title: c.files,
      key: "files",
      width: 220,
      render: (_, row) => (
        <ul className="share-files">
          {row.files.map((file) => (
            <li key={file.file_id}>
              <FileName code={code} row={row} file={file} />
            </li>
          ))}
        </ul>
      ),
    },
    ...trailingColumns(),
    {
      title: c.scan,
      key: "scan",
      width: 88,
      render: (_, row) => (
        <Tag color={SCAN_COLOURS[row.scan]} className="share-scan">
          {row.scan_label}
        </Tag>
      ),
    },
    { title: c.approval, key: "approval", width: 72, render: (_, r) => approvalText(r.approval) },
    { title: c.decidedAt, key: "decided_at", width: 132, render: (_, r) => formatTime(r.decided_at) },
  ];
}

/** 「ダウンロード」 (F8, A7): every share of the facility, newest first. */
export function DownloadTab() {
  const { facility: code } = useSignedIn();
  const [page, setPage] = useState(1);
  const list = useShareList(code, (page - 1) * PAGE_SIZE);
  return (
    <>
      <Flex justify="flex-end" className="share-toolbar">
        <Button
          icon={<ReloadOutlined aria-hidden />}
          onClick={() => void list.refetch()}
          loading={list.isFetching && !list.isLoading}
        >
          {t.refresh}
        </Button>
      </Flex>
      <SharesTable
        list={list}
        columns={columns(code)}
        emptyText={t.empty}
        page={page}
        onPage={setPage}
      />
    </>
  );
}
