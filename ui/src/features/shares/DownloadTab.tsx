import { ReloadOutlined } from "@ant-design/icons";
import { App, Button, Flex, Table, Tag } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { useState } from "react";
import { ApiError, download } from "../../api/client";
import { LoadFailed } from "../../components/PageStates";
import { useSignedIn } from "../session/queries";
import { leadingColumns, trailingColumns } from "./columns";
import { approvalText, formatTime } from "./format";
import { shareMessages } from "./messages";
import { PAGE_SIZE, type ShareRow, useShareList } from "./queries";

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
  const { message } = App.useApp();
  if (!file.downloadable) return <span>{file.name}</span>;
  const path = `/api/v1/facilities/${encodeURIComponent(code)}/shares/${encodeURIComponent(row.share_id)}/files/${encodeURIComponent(file.file_id)}`;
  const onClick = () =>
    download(path, file.name).catch((error: unknown) => {
      void message.error(error instanceof ApiError ? error.problem.title : String(error));
    });
  return (
    <Button type="link" size="small" className="share-file-link" onClick={onClick}>
      {file.name}
    </Button>
  );
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
  if (list.isError && !list.data) {
    return <LoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  }
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
      <Table<ShareRow>
        rowKey="share_id"
        className="share-table"
        size="small"
        columns={columns(code)}
        dataSource={list.data?.items ?? []}
        loading={list.isLoading}
        locale={{ emptyText: t.empty }}
        tableLayout="fixed"
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
          onChange: setPage,
        }}
      />
    </>
  );
}
